/*
 * Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE
 * SUNSUBSCRIBE PUBLISH SPUBLISH and the PUBSUB introspection container.
 *
 * The registries (channel → subscribers) live on the server, which also
 * delivers messages (server.publish encodes a message once per protocol and
 * copies it to every receiver). A client keeps its own sets of channels,
 * patterns and shard channels. Confirmations are push messages: `>3` in
 * RESP3, `*3` in RESP2, one per channel, carrying the client's subscription
 * count after the change.
 */

import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { command, noParentHandler, type CommandDef } from './types';
import { globMatch } from '../util/glob';
import { replyHelp } from './keyspace';

/** One kind of subscription: where the server and the client keep it, and its message names. */
interface Kind {
  registry(srv: Server): Map<string, Set<Client>>;
  own(c: Client): Set<string>;
  /** The count reported in confirmations. */
  count(c: Client): number;
  subscribe: string;
  unsubscribe: string;
}

const CHANNELS: Kind = {
  registry: (srv) => srv.pubsubChannels,
  own: (c) => c.channels,
  count: (c) => c.channels.size + c.patterns.size,
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
};

const PATTERNS: Kind = {
  registry: (srv) => srv.pubsubPatterns,
  own: (c) => c.patterns,
  count: (c) => c.channels.size + c.patterns.size,
  subscribe: 'psubscribe',
  unsubscribe: 'punsubscribe',
};

const SHARD: Kind = {
  registry: (srv) => srv.pubsubShardChannels,
  own: (c) => c.shardChannels,
  count: (c) => c.shardChannels.size,
  subscribe: 'ssubscribe',
  unsubscribe: 'sunsubscribe',
};

/** A confirmation frame: [kind, name or nil, count]. */
function confirm(c: Client, what: string, name: string | null, count: number): void {
  c.w.pushHeader(3);
  c.w.bulk(what);
  if (name === null) c.w.nullBulk();
  else c.w.bulk(name);
  c.w.int(count);
}

function subscribeTo(c: Client, kind: Kind, name: string): void {
  const own = kind.own(c);
  if (!own.has(name)) {
    own.add(name);
    const reg = kind.registry(c.server);
    let set = reg.get(name);
    if (set === undefined) {
      set = new Set();
      reg.set(name, set);
    }
    set.add(c);
  }
  confirm(c, kind.subscribe, name, kind.count(c));
}

function unsubscribeFrom(c: Client, kind: Kind, name: string, reply: boolean): void {
  const own = kind.own(c);
  if (own.delete(name)) c.server.removeSub(kind.registry(c.server), name, c);
  if (reply) confirm(c, kind.unsubscribe, name, kind.count(c));
}

function subscribeGeneric(c: Client, args: string[], kind: Kind): void {
  if (c.fake && !c.inExec) {
    // Scripts and other internal callers expect one reply per command.
    c.w.error(`ERR ${kind.subscribe.toUpperCase()} isn't allowed for a DENY BLOCKING client`);
    return;
  }
  for (let i = 1; i < args.length; i++) subscribeTo(c, kind, args[i]);
}

function unsubscribeGeneric(c: Client, args: string[], kind: Kind): void {
  if (args.length > 1) {
    for (let i = 1; i < args.length; i++) unsubscribeFrom(c, kind, args[i], true);
    return;
  }
  const own = kind.own(c);
  if (own.size === 0) {
    confirm(c, kind.unsubscribe, null, kind.count(c));
    return;
  }
  for (const name of [...own]) unsubscribeFrom(c, kind, name, true);
}

/** Drop every subscription of a client (RESET, disconnection). */
export function unsubscribeAll(c: Client): void {
  for (const kind of [CHANNELS, PATTERNS, SHARD]) for (const name of [...kind.own(c)]) unsubscribeFrom(c, kind, name, false);
}

// ----------------------------------------------------------------------------
// Subscribing
// ----------------------------------------------------------------------------

/* SUBSCRIBE channel [channel ...] */
function subscribeCommand(c: Client, args: string[]): void {
  subscribeGeneric(c, args, CHANNELS);
}

/* UNSUBSCRIBE [channel [channel ...]] */
function unsubscribeCommand(c: Client, args: string[]): void {
  unsubscribeGeneric(c, args, CHANNELS);
}

/* PSUBSCRIBE pattern [pattern ...] */
function psubscribeCommand(c: Client, args: string[]): void {
  subscribeGeneric(c, args, PATTERNS);
}

/* PUNSUBSCRIBE [pattern [pattern ...]] */
function punsubscribeCommand(c: Client, args: string[]): void {
  unsubscribeGeneric(c, args, PATTERNS);
}

/* SSUBSCRIBE shardchannel [shardchannel ...] */
function ssubscribeCommand(c: Client, args: string[]): void {
  subscribeGeneric(c, args, SHARD);
}

/* SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
function sunsubscribeCommand(c: Client, args: string[]): void {
  unsubscribeGeneric(c, args, SHARD);
}

// ----------------------------------------------------------------------------
// Publishing
// ----------------------------------------------------------------------------

/*
 * PUBLISH channel message
 * Not a write, but it goes to replicas (may_replicate): propagated explicitly
 * since it does not change the dataset.
 */
function publishCommand(c: Client, args: string[]): void {
  const srv = c.server;
  const n = srv.publish(args[1], args[2]);
  if (srv.propagateHooks.length !== 0) srv.propagate(c.db.id, args);
  c.w.int(n);
}

/* SPUBLISH shardchannel message */
function spublishCommand(c: Client, args: string[]): void {
  const srv = c.server;
  const n = srv.publishShard(args[1], args[2]);
  if (srv.propagateHooks.length !== 0) srv.propagate(c.db.id, args);
  c.w.int(n);
}

// ----------------------------------------------------------------------------
// PUBSUB introspection
// ----------------------------------------------------------------------------

function channelList(c: Client, reg: Map<string, Set<Client>>, pattern: string | undefined): void {
  const out: string[] = [];
  for (const name of reg.keys()) if (pattern === undefined || globMatch(pattern, name)) out.push(name);
  c.w.bulkArray(out);
}

function numsubReply(c: Client, reg: Map<string, Set<Client>>, args: string[]): void {
  c.w.arrayHeader((args.length - 2) * 2); // an array even in RESP3, as Redis
  for (let i = 2; i < args.length; i++) {
    c.w.bulk(args[i]);
    c.w.int(reg.get(args[i])?.size ?? 0);
  }
}

/* PUBSUB CHANNELS [pattern] */
function pubsubChannelsCommand(c: Client, args: string[]): void {
  channelList(c, c.server.pubsubChannels, args[2]);
}

/* PUBSUB NUMSUB [channel [channel ...]] */
function pubsubNumsubCommand(c: Client, args: string[]): void {
  numsubReply(c, c.server.pubsubChannels, args);
}

/* PUBSUB NUMPAT */
function pubsubNumpatCommand(c: Client): void {
  c.w.int(c.server.pubsubPatterns.size);
}

/* PUBSUB SHARDCHANNELS [pattern] */
function pubsubShardchannelsCommand(c: Client, args: string[]): void {
  channelList(c, c.server.pubsubShardChannels, args[2]);
}

/* PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]] */
function pubsubShardnumsubCommand(c: Client, args: string[]): void {
  numsubReply(c, c.server.pubsubShardChannels, args);
}

/* PUBSUB HELP */
function pubsubHelpCommand(c: Client): void {
  replyHelp(c, 'PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    '    Return the currently active shard level channels matching a <pattern> (default: \'*\').',
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}

const pubsubSubcommands: CommandDef[] = [
  command('channels', -2, 'pubsub loading stale', [0, 0, 0], 'pubsub', pubsubChannelsCommand, { since: '2.8.0' }),
  command('numsub', -2, 'pubsub loading stale', [0, 0, 0], 'pubsub', pubsubNumsubCommand, { since: '2.8.0' }),
  command('numpat', 2, 'pubsub loading stale', [0, 0, 0], 'pubsub', pubsubNumpatCommand, { since: '2.8.0' }),
  command('shardchannels', -2, 'pubsub loading stale', [0, 0, 0], 'pubsub', pubsubShardchannelsCommand, { since: '7.0.0' }),
  command('shardnumsub', -2, 'pubsub loading stale', [0, 0, 0], 'pubsub', pubsubShardnumsubCommand, { since: '7.0.0' }),
  command('help', 2, 'loading stale', [0, 0, 0], 'pubsub', pubsubHelpCommand, { since: '6.2.0' }),
];

export const commands: CommandDef[] = [
  command('subscribe', -2, 'pubsub noscript loading stale', [0, 0, 0], 'pubsub', subscribeCommand, { since: '2.0.0' }),
  command('unsubscribe', -1, 'pubsub noscript loading stale', [0, 0, 0], 'pubsub', unsubscribeCommand, { since: '2.0.0' }),
  command('psubscribe', -2, 'pubsub noscript loading stale', [0, 0, 0], 'pubsub', psubscribeCommand, { since: '2.0.0' }),
  command('punsubscribe', -1, 'pubsub noscript loading stale', [0, 0, 0], 'pubsub', punsubscribeCommand, { since: '2.0.0' }),
  command('ssubscribe', -2, 'pubsub noscript loading stale', [1, -1, 1], 'pubsub', ssubscribeCommand, { since: '7.0.0' }),
  command('sunsubscribe', -1, 'pubsub noscript loading stale', [1, -1, 1], 'pubsub', sunsubscribeCommand, { since: '7.0.0' }),
  command('publish', 3, 'pubsub loading stale fast may_replicate', [0, 0, 0], 'pubsub', publishCommand, { since: '2.0.0' }),
  command('spublish', 3, 'pubsub loading stale fast may_replicate', [1, 1, 1], 'pubsub', spublishCommand, { since: '7.0.0' }),
  command('pubsub', -2, '', [0, 0, 0], 'pubsub', noParentHandler, { subcommands: pubsubSubcommands, since: '2.8.0' }),
];
