import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawClient, type RunningServer } from '../helpers';

let srv: RunningServer;
let c: RawClient;

before(async () => {
  srv = await startNodis();
  c = await RawClient.connect(srv.port);
});

after(async () => {
  c.close();
  await srv.close();
});

type Resp = string | number | null | Resp[];

/** Decode one RESP2 reply (errors become 'ERR:<text>'). */
function decode(raw: string): Resp {
  let p = 0;
  const line = (): string => {
    const e = raw.indexOf('\r\n', p);
    const l = raw.slice(p, e);
    p = e + 2;
    return l;
  };
  const one = (): Resp => {
    const t = raw[p++];
    const l = line();
    switch (t) {
      case '+':
        return l;
      case '-':
        return 'ERR:' + l;
      case ':':
        return Number(l);
      case '$': {
        const n = Number(l);
        if (n < 0) return null;
        const s = raw.slice(p, p + n);
        p += n + 2;
        return s;
      }
      case '*': {
        const n = Number(l);
        if (n < 0) return null;
        const a: Resp[] = [];
        for (let i = 0; i < n; i++) a.push(one());
        return a;
      }
      default:
        throw new Error('bad reply ' + JSON.stringify(raw));
    }
  };
  return one();
}

async function cmd(...args: string[]): Promise<Resp> {
  return decode(await c.call(...args));
}

function items(prefix: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}:${i}`);
  return out;
}

/** Deterministic PRNG (xorshift32) in [0, 1). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

// ----------------------------------------------------------------------------
// Bloom
// ----------------------------------------------------------------------------

test('BF: no false negatives over 10k items, false-positive rate near the error rate', async () => {
  assert.equal(await cmd('BF.RESERVE', 'bf:big', '0.01', '10000'), 'OK');
  const add = items('in', 10000);
  const r = (await cmd('BF.MADD', 'bf:big', ...add)) as number[];
  assert.equal(r.length, 10000);
  const ex = (await cmd('BF.MEXISTS', 'bf:big', ...add)) as number[];
  assert.ok(ex.every((x) => x === 1), 'no false negatives');
  const probe = (await cmd('BF.MEXISTS', 'bf:big', ...items('out', 10000))) as number[];
  const fp = probe.filter((x) => x === 1).length / 10000;
  assert.ok(fp < 0.02, `false positive rate ${fp}`);
  const card = (await cmd('BF.CARD', 'bf:big')) as number;
  assert.ok(card > 9900 && card <= 10000, `card ${card}`);
});

test('BF: ADD/EXISTS, scaling, INFO and single-field INFO', async () => {
  assert.equal(await cmd('BF.ADD', 'bf:a', 'x'), 1);
  assert.equal(await cmd('BF.ADD', 'bf:a', 'x'), 0);
  assert.equal(await cmd('BF.EXISTS', 'bf:a', 'x'), 1);
  assert.equal(await cmd('BF.EXISTS', 'bf:a', 'y'), 0);
  assert.equal(await cmd('BF.EXISTS', 'bf:none', 'y'), 0);
  assert.deepEqual(await cmd('BF.INFO', 'bf:a'), ['Capacity', 100, 'Size', 240, 'Number of filters', 1, 'Number of items inserted', 1, 'Expansion rate', 2]);
  await cmd('BF.MADD', 'bf:a', ...items('s', 400));
  const info = (await cmd('BF.INFO', 'bf:a')) as Resp[];
  assert.equal(info[5], 3, 'three links: 100 + 200 + 400');
  assert.equal(info[1], 700);
  assert.deepEqual(await cmd('BF.INFO', 'bf:a', 'FILTERS'), [3]);
  assert.deepEqual(await cmd('BF.INFO', 'bf:a', 'capacity'), [700]);
  assert.equal(await cmd('BF.INFO', 'bf:a', 'nope'), 'ERR:Invalid information value');
  assert.equal(await cmd('BF.INFO', 'bf:none'), 'ERR:ERR not found');
  assert.equal(await cmd('BF.CARD', 'bf:none'), 0);
});

test('BF: NONSCALING fills up, INSERT options', async () => {
  assert.equal(await cmd('BF.RESERVE', 'bf:ns', '0.01', '10', 'NONSCALING'), 'OK');
  const r = (await cmd('BF.MADD', 'bf:ns', ...items('n', 30))) as Resp[];
  assert.equal(r[r.length - 1], 'ERR:ERR non scaling filter is full');
  assert.ok(r.length <= 30 && r.length >= 10);
  assert.deepEqual(await cmd('BF.INFO', 'bf:ns', 'EXPANSION'), [null]);
  assert.equal(await cmd('BF.INSERT', 'bf:nc', 'NOCREATE', 'ITEMS', 'a'), 'ERR:ERR not found');
  assert.deepEqual(await cmd('BF.INSERT', 'bf:ins', 'CAPACITY', '1000', 'ERROR', '0.001', 'EXPANSION', '4', 'ITEMS', 'a', 'b', 'a'), [1, 1, 0]);
  assert.deepEqual(await cmd('BF.INFO', 'bf:ins', 'CAPACITY'), [1000]);
  assert.deepEqual(await cmd('BF.INFO', 'bf:ins', 'EXPANSION'), [4]);
  assert.equal(await cmd('BF.INSERT', 'bf:ins', 'ERROR', '2', 'ITEMS', 'a'), 'ERR:Bad error rate');
  assert.equal(await cmd('BF.INSERT', 'bf:ins', 'CAPACITY', '0', 'ITEMS', 'a'), 'ERR:Bad capacity');
  assert.equal(await cmd('BF.INSERT', 'bf:ins', 'FOO', 'ITEMS', 'a'), 'ERR:Unknown argument received');
  assert.equal(await cmd('BF.INSERT', 'bf:ins', 'ITEMS'), "ERR:ERR wrong number of arguments for 'bf.insert' command");
});

test('BF: RESERVE errors', async () => {
  assert.equal(await cmd('BF.RESERVE', 'bf:e', 'x', '100'), 'ERR:ERR bad error rate');
  assert.equal(await cmd('BF.RESERVE', 'bf:e', '1', '100'), 'ERR:ERR error rate must be in the range (0.000000, 1.000000)');
  assert.equal(await cmd('BF.RESERVE', 'bf:e', '0.1', 'x'), 'ERR:ERR bad capacity');
  assert.equal(await cmd('BF.RESERVE', 'bf:e', '0.1', '0'), 'ERR:ERR capacity must be in the range [1, 1073741824]');
  assert.equal(await cmd('BF.RESERVE', 'bf:e', '0.1', '10', 'EXPANSION'), 'ERR:ERR no expansion');
  assert.equal(await cmd('BF.RESERVE', 'bf:e', '0.1', '10', 'EXPANSION', 'x'), 'ERR:ERR bad expansion');
  assert.equal(await cmd('BF.RESERVE', 'bf:e', '0.1', '10', 'EXPANSION', '2', 'NONSCALING'), 'ERR:Nonscaling filters cannot expand');
  assert.equal(await cmd('BF.RESERVE', 'bf:a', '0.1', '10'), 'ERR:ERR item exists');
  await cmd('SET', 'str', 'v');
  assert.match(String(await cmd('BF.ADD', 'str', 'a')), /^ERR:WRONGTYPE/);
  assert.match(String(await cmd('BF.RESERVE', 'str', '0.1', '10')), /^ERR:WRONGTYPE/);
  assert.match(String(await cmd('BF.CARD', 'str')), /^ERR:WRONGTYPE/);
  assert.equal(await cmd('BF.EXISTS', 'str', 'a'), 0);
  assert.deepEqual(await cmd('BF.MEXISTS', 'str', 'a'), [0]);
  assert.equal(await cmd('BF.ADD', 'bf:a'), "ERR:ERR wrong number of arguments for 'bf.add' command");
});

// ----------------------------------------------------------------------------
// Cuckoo
// ----------------------------------------------------------------------------

test('CF: no false negatives over 10k items, low false-positive rate, COUNT/DEL', async () => {
  assert.equal(await cmd('CF.RESERVE', 'cf:big', '20000'), 'OK');
  const add = items('in', 10000);
  const r = (await cmd('CF.INSERT', 'cf:big', 'ITEMS', ...add)) as number[];
  assert.ok(r.every((x) => x === 1));
  const ex = (await cmd('CF.MEXISTS', 'cf:big', ...add)) as number[];
  assert.ok(ex.every((x) => x === 1), 'no false negatives');
  const probe = (await cmd('CF.MEXISTS', 'cf:big', ...items('out', 10000))) as number[];
  const fp = probe.filter((x) => x === 1).length / 10000;
  assert.ok(fp < 0.05, `false positive rate ${fp}`);
  assert.equal(await cmd('CF.ADD', 'cf:big', 'in:1'), 1);
  assert.equal(await cmd('CF.COUNT', 'cf:big', 'in:1'), 2);
  assert.equal(await cmd('CF.DEL', 'cf:big', 'in:1'), 1);
  assert.equal(await cmd('CF.DEL', 'cf:big', 'in:1'), 1);
  assert.equal(await cmd('CF.EXISTS', 'cf:big', 'in:1'), 0);
  assert.equal(await cmd('CF.DEL', 'cf:big', 'in:1'), 0);
  const info = (await cmd('CF.INFO', 'cf:big')) as Resp[];
  assert.deepEqual(info.filter((_, i) => i % 2 === 0), [
    'Size', 'Number of buckets', 'Number of filters', 'Number of items inserted', 'Number of items deleted', 'Bucket size', 'Expansion rate', 'Max iterations',
  ]);
  assert.equal(info[7], 9999);
  assert.equal(info[9], 2);
});

test('CF: ADDNX/INSERTNX, expansion, INFO defaults, errors', async () => {
  assert.equal(await cmd('CF.ADDNX', 'cf:a', 'x'), 1);
  assert.equal(await cmd('CF.ADDNX', 'cf:a', 'x'), 0);
  assert.deepEqual(await cmd('CF.INSERTNX', 'cf:a', 'ITEMS', 'x', 'y'), [0, 1]);
  assert.deepEqual(await cmd('CF.INFO', 'cf:a'), [
    'Size', 1080, 'Number of buckets', 512, 'Number of filters', 1, 'Number of items inserted', 2, 'Number of items deleted', 0, 'Bucket size', 2, 'Expansion rate', 1, 'Max iterations', 20,
  ]);
  assert.equal(await cmd('CF.RESERVE', 'cf:small', '4', 'EXPANSION', '0'), 'OK');
  const r = (await cmd('CF.INSERT', 'cf:small', 'ITEMS', ...items('z', 40))) as number[];
  assert.ok(r.includes(-1), 'a non-expanding filter reports -1 when full');
  assert.equal(await cmd('CF.RESERVE', 'cf:grow', '4'), 'OK');
  await cmd('CF.INSERT', 'cf:grow', 'ITEMS', ...items('z', 40));
  const info = (await cmd('CF.INFO', 'cf:grow')) as Resp[];
  assert.ok((info[5] as number) > 1, 'filter grew');
  assert.deepEqual(await cmd('CF.MEXISTS', 'cf:grow', ...items('z', 40)), new Array(40).fill(1));
  assert.equal(await cmd('CF.RESERVE', 'cf:a', '100'), 'ERR:ERR item exists');
  assert.equal(await cmd('CF.RESERVE', 'cf:e', 'x'), 'ERR:Bad capacity');
  assert.equal(await cmd('CF.RESERVE', 'cf:e', '1'), 'ERR:Capacity must be in the range [2 * BUCKETSIZE, 1073741824]');
  assert.equal(await cmd('CF.RESERVE', 'cf:e', '100', 'BUCKETSIZE', '300'), 'ERR:BUCKETSIZE: value must be in the range [1, 255]');
  assert.equal(await cmd('CF.RESERVE', 'cf:e', '100', 'MAXITERATIONS', 'x'), "ERR:Couldn't parse MAXITERATIONS");
  assert.equal(await cmd('CF.RESERVE', 'cf:e', '100', 'EXPANSION'), "ERR:ERR wrong number of arguments for 'cf.reserve' command");
  assert.equal(await cmd('CF.DEL', 'cf:none', 'x'), 'ERR:Not found');
  assert.equal(await cmd('CF.INFO', 'cf:none'), 'ERR:ERR not found');
  assert.equal(await cmd('CF.INSERT', 'cf:none', 'NOCREATE', 'ITEMS', 'x'), 'ERR:ERR not found');
  assert.equal(await cmd('CF.EXISTS', 'cf:none', 'x'), 0);
  assert.equal(await cmd('CF.COUNT', 'cf:none', 'x'), 0);
  assert.match(String(await cmd('CF.ADD', 'str', 'a')), /^ERR:WRONGTYPE/);
  assert.match(String(await cmd('CF.INFO', 'str')), /^ERR:WRONGTYPE/);
  // As RedisBloom: the check commands read a key of another type as no filter.
  assert.equal(await cmd('CF.EXISTS', 'str', 'a'), 0);
  assert.equal(await cmd('CF.COUNT', 'str', 'a'), 0);
  assert.equal(await cmd('CF.DEL', 'str', 'a'), 'ERR:Not found');
});

// ----------------------------------------------------------------------------
// Count-Min sketch
// ----------------------------------------------------------------------------

test('CMS: never under-counts; INFO; MERGE with WEIGHTS', async () => {
  assert.equal(await cmd('CMS.INITBYPROB', 'cms:a', '0.001', '0.01'), 'OK');
  assert.deepEqual(await cmd('CMS.INFO', 'cms:a'), ['width', 2000, 'depth', 7, 'count', 0]);
  const rand = rng(7);
  const exact = new Map<string, number>();
  const args: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const k = `k${Math.floor(rand() ** 2 * 1000)}`;
    const n = 1 + Math.floor(rand() * 5);
    exact.set(k, (exact.get(k) ?? 0) + n);
    args.push(k, String(n));
  }
  await cmd('CMS.INCRBY', 'cms:a', ...args);
  const keys = [...exact.keys()];
  const est = (await cmd('CMS.QUERY', 'cms:a', ...keys)) as number[];
  let total = 0;
  for (const v of exact.values()) total += v;
  keys.forEach((k, i) => {
    assert.ok(est[i] >= exact.get(k)!, `under-count for ${k}`);
    assert.ok(est[i] <= exact.get(k)! + 0.01 * total, `over-estimate too large for ${k}`);
  });
  assert.deepEqual(await cmd('CMS.QUERY', 'cms:a', 'never'), [0]);
  assert.equal(((await cmd('CMS.INFO', 'cms:a')) as Resp[])[5], total);

  assert.equal(await cmd('CMS.INITBYDIM', 'cms:x', '100', '5'), 'OK');
  assert.equal(await cmd('CMS.INITBYDIM', 'cms:y', '100', '5'), 'OK');
  assert.equal(await cmd('CMS.INITBYDIM', 'cms:d', '100', '5'), 'OK');
  assert.deepEqual(await cmd('CMS.INCRBY', 'cms:x', 'a', '3', 'b', '1'), [3, 1]);
  assert.deepEqual(await cmd('CMS.INCRBY', 'cms:y', 'a', '2'), [2]);
  assert.equal(await cmd('CMS.MERGE', 'cms:d', '2', 'cms:x', 'cms:y', 'WEIGHTS', '1', '10'), 'OK');
  assert.deepEqual(await cmd('CMS.QUERY', 'cms:d', 'a', 'b'), [23, 1]);
  assert.equal(((await cmd('CMS.INFO', 'cms:d')) as Resp[])[5], 24);
  assert.equal(await cmd('CMS.MERGE', 'cms:d', '2', 'cms:x', 'cms:a'), 'ERR:CMS: width/depth is not equal');
  assert.equal(await cmd('CMS.MERGE', 'cms:d', '3', 'cms:x', 'cms:y'), 'ERR:CMS: wrong number of keys');
  assert.equal(await cmd('CMS.MERGE', 'cms:d', '2', 'cms:x', 'cms:y', 'WEIGHTS', '1'), 'ERR:CMS: wrong number of keys/weights');
  assert.equal(await cmd('CMS.MERGE', 'cms:d', '1', 'cms:nokey'), 'ERR:CMS: key does not exist');
  assert.equal(await cmd('CMS.MERGE', 'cms:d', '2', 'cms:x', 'cms:y', 'WEIGHTS', '-1', '0'), 'ERR:CMS: MERGE overflow');
});

test('CMS: errors', async () => {
  assert.equal(await cmd('CMS.INITBYDIM', 'cms:x', '10', '10'), 'ERR:CMS: key already exists');
  assert.equal(await cmd('CMS.INITBYDIM', 'cms:e', '0', '10'), 'ERR:CMS: invalid width');
  assert.equal(await cmd('CMS.INITBYDIM', 'cms:e', '10', 'x'), 'ERR:CMS: invalid depth');
  assert.equal(await cmd('CMS.INITBYPROB', 'cms:e', '1', '0.1'), 'ERR:CMS: invalid overestimation value');
  assert.equal(await cmd('CMS.INITBYPROB', 'cms:e', '0.1', '0'), 'ERR:CMS: invalid prob value');
  assert.equal(await cmd('CMS.QUERY', 'cms:none', 'a'), 'ERR:CMS: key does not exist');
  assert.equal(await cmd('CMS.INCRBY', 'cms:none', 'a', '1'), 'ERR:CMS: key does not exist');
  assert.equal(await cmd('CMS.INCRBY', 'cms:x', 'a', 'x'), 'ERR:CMS: Cannot parse number');
  assert.equal(await cmd('CMS.INCRBY', 'cms:x', 'a', '-1'), 'ERR:CMS: Number cannot be negative');
  assert.equal(await cmd('CMS.INCRBY', 'cms:x', 'a'), "ERR:ERR wrong number of arguments for 'cms.incrby' command");
  assert.deepEqual(await cmd('CMS.INCRBY', 'cms:x', 'big', '4294967295'), ['ERR:CMS: INCRBY overflow']);
  assert.match(String(await cmd('CMS.QUERY', 'str', 'a')), /^ERR:WRONGTYPE/);
});

// ----------------------------------------------------------------------------
// Top-K
// ----------------------------------------------------------------------------

test('TOPK: finds the heavy hitters of a skewed stream', async () => {
  assert.equal(await cmd('TOPK.RESERVE', 'tk', '5', '50', '5', '0.9'), 'OK');
  const rand = rng(11);
  const stream: string[] = [];
  const heavy = ['h0', 'h1', 'h2', 'h3', 'h4'];
  for (let i = 0; i < 20000; i++) {
    const r = rand();
    if (r < 0.5) stream.push(heavy[Math.floor(rand() * 5)]);
    else stream.push(`light${Math.floor(rand() * 5000)}`);
  }
  for (let i = 0; i < stream.length; i += 1000) await cmd('TOPK.ADD', 'tk', ...stream.slice(i, i + 1000));
  const list = (await cmd('TOPK.LIST', 'tk')) as string[];
  assert.deepEqual([...list].sort(), heavy);
  assert.deepEqual(await cmd('TOPK.QUERY', 'tk', 'h0', 'light1'), [1, 0]);
  const wc = (await cmd('TOPK.LIST', 'tk', 'WITHCOUNT')) as Resp[];
  assert.equal(wc.length, 10);
  const counts = wc.filter((_, i) => i % 2 === 1) as number[];
  assert.ok(counts.every((n) => n > 1500 && n <= 2500), `counts ${counts}`);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i - 1] >= counts[i], 'sorted by count');
  const cnt = (await cmd('TOPK.COUNT', 'tk', 'h1')) as number[];
  assert.ok(cnt[0] > 1500);
  assert.deepEqual(await cmd('TOPK.INFO', 'tk'), ['k', 5, 'width', 50, 'depth', 5, 'decay', '0.9']);
});

test('TOPK: ADD reports expelled items; INCRBY; errors', async () => {
  assert.equal(await cmd('TOPK.RESERVE', 'tk2', '1'), 'OK');
  assert.deepEqual(await cmd('TOPK.INFO', 'tk2'), ['k', 1, 'width', 8, 'depth', 7, 'decay', '0.9']);
  assert.deepEqual(await cmd('TOPK.ADD', 'tk2', 'a'), [null]);
  assert.deepEqual(await cmd('TOPK.INCRBY', 'tk2', 'b', '10'), ['a']);
  assert.deepEqual(await cmd('TOPK.LIST', 'tk2', 'WITHCOUNT'), ['b', 10]);
  assert.equal(await cmd('TOPK.RESERVE', 'tk2', '1'), 'ERR:TopK: key already exists');
  assert.equal(await cmd('TOPK.RESERVE', 'tk3', '0'), 'ERR:TopK: invalid k');
  assert.equal(await cmd('TOPK.RESERVE', 'tk3', '1', '0', '1', '0.9'), 'ERR:TopK: invalid width');
  assert.equal(await cmd('TOPK.RESERVE', 'tk3', '1', '1', '1', '2'), "ERR:TopK: invalid decay value. must be '<= 1' & '> 0'");
  assert.equal(await cmd('TOPK.RESERVE', 'tk3', '1', '1'), "ERR:ERR wrong number of arguments for 'topk.reserve' command");
  assert.equal(await cmd('TOPK.ADD', 'tk:none', 'a'), 'ERR:TopK: key does not exist');
  assert.equal(await cmd('TOPK.LIST', 'tk2', 'FOO'), 'ERR:WITHCOUNT keyword expected');
  const r = (await cmd('TOPK.INCRBY', 'tk2', 'a', '100001')) as Resp[];
  assert.match(String(r[0]), /^ERR:TopK: increment must be an integer greater or equal to 0 +and smaller or equal to 100,000$/);
  assert.match(String(await cmd('TOPK.ADD', 'str', 'a')), /^ERR:WRONGTYPE/);
});

// ----------------------------------------------------------------------------
// t-digest
// ----------------------------------------------------------------------------

test('TDIGEST: quantiles within tolerance of exact quantiles', async () => {
  assert.equal(await cmd('TDIGEST.CREATE', 'td'), 'OK');
  const rand = rng(3);
  const vals: number[] = [];
  for (let i = 0; i < 20000; i++) vals.push(Math.round(-Math.log(1 - rand()) * 1000 * 1000) / 1000);
  for (let i = 0; i < vals.length; i += 2000) assert.equal(await cmd('TDIGEST.ADD', 'td', ...vals.slice(i, i + 2000).map(String)), 'OK');
  const sorted = [...vals].sort((a, b) => a - b);
  const qs = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];
  const got = ((await cmd('TDIGEST.QUANTILE', 'td', ...qs.map(String))) as string[]).map(Number);
  qs.forEach((q, i) => {
    // Compare in rank space: the estimate's true rank must be within 1% of q.
    const rank = sorted.findIndex((v) => v >= got[i]) / sorted.length;
    assert.ok(Math.abs(rank - q) < 0.01, `q=${q} estimate ${got[i]} has rank ${rank}`);
  });
  assert.equal(Number(await cmd('TDIGEST.MIN', 'td')), sorted[0]);
  assert.equal(Number(await cmd('TDIGEST.MAX', 'td')), sorted[sorted.length - 1]);
  const cdf = ((await cmd('TDIGEST.CDF', 'td', String(sorted[10000]))) as string[]).map(Number);
  assert.ok(Math.abs(cdf[0] - 0.5) < 0.01, `cdf ${cdf[0]}`);
  const tm = Number(await cmd('TDIGEST.TRIMMED_MEAN', 'td', '0.1', '0.9'));
  const slice = sorted.slice(2000, 18000);
  const exactTm = slice.reduce((a, b) => a + b, 0) / slice.length;
  assert.ok(Math.abs(tm - exactTm) / exactTm < 0.02, `trimmed mean ${tm} vs ${exactTm}`);
  const info = (await cmd('TDIGEST.INFO', 'td')) as Resp[];
  assert.deepEqual(info.filter((_, i) => i % 2 === 0), [
    'Compression', 'Capacity', 'Merged nodes', 'Unmerged nodes', 'Merged weight', 'Unmerged weight', 'Observations', 'Total compressions', 'Memory usage',
  ]);
  assert.equal(info[1], 100);
  assert.equal(info[3], 610);
  assert.equal(info[17], 9768);
  assert.equal(info[13], 20000);
});

test('TDIGEST: RANK/REVRANK/BYRANK/BYREVRANK as the documented examples', async () => {
  assert.equal(await cmd('TDIGEST.CREATE', 'tdr', 'COMPRESSION', '1000'), 'OK');
  await cmd('TDIGEST.ADD', 'tdr', '10', '20', '30', '40', '50', '60');
  assert.deepEqual(await cmd('TDIGEST.RANK', 'tdr', '0', '10', '20', '30', '40', '50', '60', '70'), [-1, 0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await cmd('TDIGEST.REVRANK', 'tdr', '0', '10', '20', '30', '40', '50', '60', '70'), [6, 5, 4, 3, 2, 1, 0, -1]);
  assert.deepEqual(await cmd('TDIGEST.BYRANK', 'tdr', '0', '1', '2', '3', '4', '5', '6', '7'), ['10', '20', '30', '40', '50', '60', 'inf', 'inf']);
  assert.deepEqual(await cmd('TDIGEST.BYREVRANK', 'tdr', '0', '1', '2', '3', '4', '5', '6'), ['60', '50', '40', '30', '20', '10', '-inf']);
  assert.deepEqual(await cmd('TDIGEST.QUANTILE', 'tdr', '0', '1'), ['10', '60']);
  assert.equal(await cmd('TDIGEST.CREATE', 'tde'), 'OK');
  assert.equal(await cmd('TDIGEST.MIN', 'tde'), 'nan');
  assert.deepEqual(await cmd('TDIGEST.QUANTILE', 'tde', '0.5'), ['nan']);
  assert.deepEqual(await cmd('TDIGEST.RANK', 'tde', '1'), [-2]);
  assert.deepEqual(await cmd('TDIGEST.BYRANK', 'tde', '1'), ['nan']);
  // MERGE into a new key, then RESET.
  assert.equal(await cmd('TDIGEST.MERGE', 'tdm', '2', 'tdr', 'td'), 'OK');
  const info = (await cmd('TDIGEST.INFO', 'tdm')) as Resp[];
  assert.equal(info[1], 1000, 'the largest source compression');
  assert.equal(info[13], 20006);
  assert.equal(await cmd('TDIGEST.MERGE', 'tdm', '1', 'tdr', 'OVERRIDE'), 'OK');
  assert.equal(((await cmd('TDIGEST.INFO', 'tdm')) as Resp[])[13], 6);
  assert.equal(await cmd('TDIGEST.RESET', 'tdm'), 'OK');
  assert.equal(((await cmd('TDIGEST.INFO', 'tdm')) as Resp[])[13], 0);
});

test('TDIGEST: QUANTILE and CDF as the documented example', async () => {
  await cmd('TDIGEST.CREATE', 'tdq');
  await cmd('TDIGEST.ADD', 'tdq', ...'1 2 2 3 3 3 4 4 4 4 5 5 5 5 5'.split(' '));
  assert.deepEqual(await cmd('TDIGEST.QUANTILE', 'tdq', ...'0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1'.split(' ')), '1 2 3 3 4 4 4 5 5 5 5'.split(' '));
  const cdf = ((await cmd('TDIGEST.CDF', 'tdq', '0', '1', '2', '3', '4', '5', '6')) as string[]).map(Number);
  const want = [0, 1 / 30, 2 / 15, 0.3, 8 / 15, 5 / 6, 1];
  cdf.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `cdf ${i}: ${v}`));
});

test('TDIGEST: errors', async () => {
  assert.equal(await cmd('TDIGEST.CREATE', 'tdr'), 'ERR:ERR T-Digest: key already exists');
  assert.equal(await cmd('TDIGEST.CREATE', 'tdx', 'FOO', '10'), 'ERR:ERR T-Digest: wrong keyword');
  assert.equal(await cmd('TDIGEST.CREATE', 'tdx', 'COMPRESSION', 'x'), 'ERR:ERR T-Digest: error parsing compression parameter');
  assert.equal(await cmd('TDIGEST.CREATE', 'tdx', 'COMPRESSION', '0'), 'ERR:ERR T-Digest: compression parameter needs to be a positive integer');
  assert.equal(await cmd('TDIGEST.ADD', 'tdnone', '1'), 'ERR:ERR T-Digest: key does not exist');
  assert.equal(await cmd('TDIGEST.ADD', 'tdr', 'x'), 'ERR:ERR T-Digest: error parsing val parameter');
  assert.equal(await cmd('TDIGEST.ADD', 'tdr', 'inf'), 'ERR:ERR T-Digest: val parameter needs to be a finite number');
  assert.equal(await cmd('TDIGEST.QUANTILE', 'tdr', '2'), 'ERR:ERR T-Digest: quantile should be in [0,1]');
  assert.equal(await cmd('TDIGEST.QUANTILE', 'tdr', 'x'), 'ERR:ERR T-Digest: error parsing quantile');
  assert.equal(await cmd('TDIGEST.CDF', 'tdr', 'x'), 'ERR:ERR T-Digest: error parsing cdf');
  assert.equal(await cmd('TDIGEST.RANK', 'tdr', 'x'), 'ERR:ERR T-Digest: error parsing value');
  assert.equal(await cmd('TDIGEST.BYRANK', 'tdr', '-1'), 'ERR:ERR T-Digest: rank needs to be non negative');
  assert.equal(await cmd('TDIGEST.BYRANK', 'tdr', 'x'), 'ERR:ERR T-Digest: error parsing rank');
  assert.equal(await cmd('TDIGEST.TRIMMED_MEAN', 'tdr', '0.5', '0.1'), 'ERR:ERR T-Digest: low_cut_percentile should be lower than high_cut_percentile');
  assert.equal(await cmd('TDIGEST.TRIMMED_MEAN', 'tdr', '0', '2'), 'ERR:ERR T-Digest: low_cut_percentile and high_cut_percentile should be in [0,1]');
  assert.equal(await cmd('TDIGEST.MERGE', 'tdm', '0', 'tdr'), 'ERR:ERR T-Digest: numkeys needs to be a positive integer');
  assert.equal(await cmd('TDIGEST.MERGE', 'tdm', 'x', 'tdr'), 'ERR:ERR T-Digest: error parsing numkeys');
  assert.equal(await cmd('TDIGEST.MERGE', 'tdm', '1', 'tdr', 'FOO'), 'ERR:ERR T-Digest: wrong keyword');
  assert.equal(await cmd('TDIGEST.MERGE', 'tdm', '1', 'tdnone'), 'ERR:ERR T-Digest: key does not exist');
  assert.match(String(await cmd('TDIGEST.MIN', 'str')), /^ERR:WRONGTYPE/);
});

// ----------------------------------------------------------------------------
// RESP3 shapes
// ----------------------------------------------------------------------------

test('RESP3 reply shapes', async () => {
  const c3 = await RawClient.connect(srv.port);
  try {
    await c3.call('HELLO', '3');
    assert.equal(await c3.call('BF.ADD', 'r3:bf', 'a'), '#t\r\n');
    assert.equal(await c3.call('BF.EXISTS', 'r3:bf', 'b'), '#f\r\n');
    assert.equal(await c3.call('BF.MEXISTS', 'r3:bf', 'a', 'b'), '*2\r\n#t\r\n#f\r\n');
    assert.equal(await c3.call('BF.INFO', 'r3:bf', 'ITEMS'), '%1\r\n+Number of items inserted\r\n:1\r\n');
    assert.ok((await c3.call('BF.INFO', 'r3:bf')).startsWith('%5\r\n+Capacity\r\n:100\r\n'));
    await c3.call('BF.RESERVE', 'r3:ns', '0.1', '10', 'NONSCALING');
    assert.ok((await c3.call('BF.INFO', 'r3:ns')).endsWith('+Expansion rate\r\n_\r\n'));
    assert.equal(await c3.call('CF.ADD', 'r3:cf', 'a'), '#t\r\n');
    assert.equal(await c3.call('CF.ADDNX', 'r3:cf', 'a'), '#f\r\n');
    assert.equal(await c3.call('CF.INSERTNX', 'r3:cf', 'ITEMS', 'a', 'b'), '*2\r\n:0\r\n:1\r\n');
    assert.equal(await c3.call('CF.INSERT', 'r3:cf', 'ITEMS', 'c'), '*1\r\n#t\r\n');
    assert.equal(await c3.call('CF.EXISTS', 'r3:cf', 'a'), '#t\r\n');
    assert.equal(await c3.call('CF.COUNT', 'r3:cf', 'a'), ':1\r\n');
    assert.equal(await c3.call('CF.DEL', 'r3:cf', 'a'), '#t\r\n');
    assert.ok((await c3.call('CF.INFO', 'r3:cf')).startsWith('%8\r\n+Size\r\n'));
    await c3.call('CMS.INITBYDIM', 'r3:cms', '10', '2');
    assert.equal(await c3.call('CMS.INFO', 'r3:cms'), '%3\r\n+width\r\n:10\r\n+depth\r\n:2\r\n+count\r\n:0\r\n');
    await c3.call('TOPK.RESERVE', 'r3:tk', '2');
    assert.equal(await c3.call('TOPK.ADD', 'r3:tk', 'a'), '*1\r\n_\r\n');
    assert.equal(await c3.call('TOPK.QUERY', 'r3:tk', 'a', 'b'), '*2\r\n#t\r\n#f\r\n');
    assert.equal(await c3.call('TOPK.INFO', 'r3:tk'), '%4\r\n+k\r\n:2\r\n+width\r\n:8\r\n+depth\r\n:7\r\n+decay\r\n,0.9\r\n');
    await c3.call('TDIGEST.CREATE', 'r3:td');
    assert.equal(await c3.call('TDIGEST.MIN', 'r3:td'), ',nan\r\n');
    await c3.call('TDIGEST.ADD', 'r3:td', '1', '2', '3');
    assert.equal(await c3.call('TDIGEST.MAX', 'r3:td'), ',3\r\n');
    assert.equal(await c3.call('TDIGEST.BYRANK', 'r3:td', '5'), '*1\r\n,inf\r\n');
    assert.ok((await c3.call('TDIGEST.INFO', 'r3:td')).startsWith('%9\r\n+Compression\r\n:100\r\n'));
  } finally {
    c3.close();
  }
});

// ----------------------------------------------------------------------------
// Keyspace integration and persistence
// ----------------------------------------------------------------------------

test('keys work with TYPE/EXISTS/RENAME/COPY/DEL and SCAN TYPE', async () => {
  await cmd('FLUSHALL');
  await cmd('BF.ADD', 'k:bf', 'a');
  await cmd('CF.ADD', 'k:cf', 'a');
  await cmd('CMS.INITBYDIM', 'k:cms', '10', '2');
  await cmd('CMS.INCRBY', 'k:cms', 'a', '5');
  await cmd('TOPK.RESERVE', 'k:tk', '3');
  await cmd('TOPK.ADD', 'k:tk', 'a');
  await cmd('TDIGEST.CREATE', 'k:td');
  await cmd('TDIGEST.ADD', 'k:td', '1', '2');
  assert.equal(await cmd('TYPE', 'k:bf'), 'MBbloom--');
  assert.equal(await cmd('TYPE', 'k:cf'), 'MBbloomCF');
  assert.equal(await cmd('TYPE', 'k:cms'), 'CMSk-TYPE');
  assert.equal(await cmd('TYPE', 'k:tk'), 'TopK-TYPE');
  assert.equal(await cmd('TYPE', 'k:td'), 'TDIS-TYPE');
  assert.equal(await cmd('EXISTS', 'k:bf', 'k:cf', 'k:cms', 'k:tk', 'k:td'), 5);
  assert.deepEqual(await cmd('SCAN', '0', 'TYPE', 'MBbloom--', 'COUNT', '100'), ['0', ['k:bf']]);
  assert.equal(await cmd('RENAME', 'k:bf', 'k:bf2'), 'OK');
  assert.equal(await cmd('BF.EXISTS', 'k:bf2', 'a'), 1);
  assert.equal(await cmd('COPY', 'k:cms', 'k:cms2'), 1);
  await cmd('CMS.INCRBY', 'k:cms2', 'a', '1');
  assert.deepEqual(await cmd('CMS.QUERY', 'k:cms', 'a'), [5], 'COPY is deep');
  assert.deepEqual(await cmd('CMS.QUERY', 'k:cms2', 'a'), [6]);
  for (const k of ['k:cf', 'k:tk', 'k:td']) assert.equal(await cmd('COPY', k, k + '2'), 1);
  assert.equal(await cmd('CF.EXISTS', 'k:cf2', 'a'), 1);
  assert.deepEqual(await cmd('TOPK.LIST', 'k:tk2'), ['a']);
  assert.equal(await cmd('TDIGEST.MAX', 'k:td2'), '2');
  assert.equal(await cmd('DEL', 'k:bf2', 'k:cf', 'k:cms', 'k:tk', 'k:td'), 5);
  assert.equal(await cmd('EXISTS', 'k:bf2'), 0);
  assert.equal(await cmd('BF.ADD', 'k:cms2', 'a').then(String).then((s) => s.startsWith('ERR:WRONGTYPE')), true);
});

test('DUMP/RESTORE and DEBUG RELOAD keep the values', async () => {
  await cmd('FLUSHALL');
  await cmd('BF.MADD', 'p:bf', ...items('x', 300));
  await cmd('CF.INSERT', 'p:cf', 'ITEMS', ...items('x', 300));
  await cmd('CMS.INITBYDIM', 'p:cms', '50', '3');
  await cmd('CMS.INCRBY', 'p:cms', 'a', '7');
  await cmd('TOPK.RESERVE', 'p:tk', '2');
  await cmd('TOPK.INCRBY', 'p:tk', 'a', '5', 'b', '3');
  await cmd('TDIGEST.CREATE', 'p:td');
  await cmd('TDIGEST.ADD', 'p:td', '1', '2', '3', '4');
  const dump = await cmd('DUMP', 'p:cms');
  assert.equal(typeof dump, 'string');
  assert.equal(await cmd('RESTORE', 'p:cms:r', '0', dump as string), 'OK');
  assert.deepEqual(await cmd('CMS.QUERY', 'p:cms:r', 'a'), [7]);
  const reload = await cmd('DEBUG', 'RELOAD');
  assert.equal(reload, 'OK');
  assert.equal(await cmd('TYPE', 'p:bf'), 'MBbloom--');
  assert.deepEqual(await cmd('BF.MEXISTS', 'p:bf', ...items('x', 300)), new Array(300).fill(1));
  assert.ok(((await cmd('BF.CARD', 'p:bf')) as number) >= 295);
  assert.deepEqual(await cmd('CF.MEXISTS', 'p:cf', ...items('x', 300)), new Array(300).fill(1));
  assert.deepEqual(await cmd('CMS.QUERY', 'p:cms', 'a'), [7]);
  assert.deepEqual(await cmd('TOPK.LIST', 'p:tk', 'WITHCOUNT'), ['a', 5, 'b', 3]);
  assert.deepEqual(await cmd('TDIGEST.QUANTILE', 'p:td', '0', '1'), ['1', '4']);
});

test('AOF rewrite without RDB preamble recreates the values (RESTORE payloads)', async () => {
  const { cmd: pcmd, later, runCleanups, startNodisProcess, tempDir } = await import('../persistence/util');
  try {
    const dir = tempDir('prob-aof');
    const opts = ['--save', '', '--aof-use-rdb-preamble', 'no'];
    const s = await startNodisProcess(dir, opts);
    const pc = await RawClient.connect(s.port);
    await pcmd(pc, 'BF.MADD', 'a:bf', 'x', 'y');
    await pcmd(pc, 'TDIGEST.CREATE', 'a:td');
    await pcmd(pc, 'TDIGEST.ADD', 'a:td', '5', '7');
    assert.equal(await pcmd(pc, 'CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
    for (let i = 0; i < 300; i++) {
      if (/aof_enabled:1[\s\S]*aof_rewrite_in_progress:0[\s\S]*aof_last_bgrewrite_status:ok/.test(String(await pcmd(pc, 'INFO', 'persistence')))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Drop the incremental part's copies: the base alone must recreate the keys.
    pc.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    await pc.waitClosed();
    // The child may have exited already (then 'exit' was emitted before this listener).
    if (s.child.exitCode === null && s.child.signalCode === null) await new Promise((r) => s.child.once('exit', r));
    const s2 = later(await startNodisProcess(dir, [...opts, '--appendonly', 'yes']));
    const c2 = later(await RawClient.connect(s2.port));
    assert.equal(await pcmd(c2, 'TYPE', 'a:bf'), 'MBbloom--');
    assert.deepEqual(await pcmd(c2, 'BF.MEXISTS', 'a:bf', 'x', 'y'), [1, 1]);
    assert.equal(await pcmd(c2, 'TDIGEST.MAX', 'a:td'), '7');
  } finally {
    await runCleanups();
  }
});
