// Corpus of Lua 5.1 programs for the differential test (each entry is one program; output is
// compared byte for byte with lua5.1). Programs must be deterministic in the reference: no
// addresses compared (they are normalized), no pairs() order over several hash keys, no random.

const C: string[] = [];
const P = (src: string): void => {
  C.push(src);
};
/** one case per expression: print(expr) */
const E = (...exprs: string[]): void => {
  for (const e of exprs) C.push('print(' + e + ')');
};
/** one case per statement wrapped in pcall, printing results */
const PC = (...bodies: string[]): void => {
  for (const b of bodies) C.push('print(pcall(function() ' + b + ' end))');
};

// ---------------------------------------------------------------- numbers & formatting
E(
  '1', '-1', '0', '1.5', '-1.5', '1e15', '1e16', '1e100', '1e-5', '1e-4', '123456789012345', '12345678901234',
  '2^53', '2^53+1', '2^63', '-2^63', '2^31', '2^32', '0.1+0.2', '1/3', '-1/3', '100/3', '1e300*1e10', '-1e300*1e10',
  'math.huge', '-math.huge', 'math.pi', '-math.pi', '3.14159265358979', '1e14', '1e14+0.5', '123456789012345.5',
  '0.1', '0.5', '2.5', '1234.5678', '5e-324', '1.7976931348623157e308', '2^-1074', '255/256', '1/0 - 1/0 ~= 1/0 - 1/0',
  'math.ceil(-0.5)', '-(0)', '0/0 ~= 0/0', '7 % 3', '-7 % 3', '7 % -3', '-7 % -3', '5.5 % 2', '5 % 0 ~= 5 % 0',
  '2^10', '2^0.5', '(-2)^2', '-2^2', '2^-1', '10 / 2', '3 - -3', '"10" + 5', '"3" * "4"', '"0x10" + 0', '" 5 " * 2',
  '10 == "10"', '"abc" < "abd"', '"Z" < "a"', '"" < "a"', '"a\\0b" < "a\\0c"', '1 < 2', '2 <= 2', '3 > 4', '"10" .. 20',
  '1 .. ""', '1.5 .. "x"', '-0.0 .. ""', '2^53 .. ""', '1e100 .. ""', 'tostring(1e15)', 'tostring(-1e15)', 'tostring(123.456)',
  'tostring(1/0)', 'tostring(-1/0)', 'tostring(0.1)', 'tonumber("10")', 'tonumber("10.5")', 'tonumber("  12  ")', 'tonumber("1e2")',
  'tonumber("0x1F")', 'tonumber("0X1f")', 'tonumber("abc")', 'tonumber("")', 'tonumber(" ")', 'tonumber("1 2")', 'tonumber("1e")',
  'tonumber(".5")', 'tonumber("5.")', 'tonumber("-.5")', 'tonumber("+5")', 'tonumber("inf")', 'tonumber("-inf")',
  'tonumber("ff", 16)', 'tonumber("FF", 16)', 'tonumber("777", 8)', 'tonumber("zz", 36)', 'tonumber("102", 2)', 'tonumber("11", 2)',
  'tonumber("8", 8)', 'tonumber(" 10 ", 16)', 'tonumber("0x10", 16)', 'tonumber(10, 16)', 'tonumber(nil)', 'tonumber(true)', 'tonumber({})',
  'tonumber("1e500")', 'tonumber("-0")', 'tostring(tonumber("-0"))', 'math.floor(3.7)', 'math.floor(-3.7)', 'math.ceil(3.2)',
  'math.ceil(-3.2)', 'math.abs(-4)', 'math.max(1, 5, 3)', 'math.min(4, 2, 8)', 'math.max(-1)', 'math.sqrt(16)', 'math.sqrt(2)',
  'math.fmod(7, 3)', 'math.fmod(-7, 3)', 'math.fmod(7, -3)', 'math.modf(3.7)', 'math.modf(-3.7)', 'math.modf(5)', 'math.frexp(8)',
  'math.frexp(0.3)', 'math.frexp(-5)', 'math.ldexp(0.5, 4)', 'math.pow(2, 8)', 'math.exp(1)', 'math.log(10)', 'math.log10(1000)',
  'math.sin(1)', 'math.cos(1)', 'math.tan(1)', 'math.asin(0.5)', 'math.acos(0.5)', 'math.atan(1)', 'math.atan2(1, 2)',
  'math.atan2(-1, -2)', 'math.sinh(1)', 'math.cosh(1)', 'math.tanh(1)', 'math.deg(math.pi)', 'math.rad(180)', 'math.floor(2^40+0.5)',
  'math.mod(7, 3)', 'math.huge > 1e308', 'math.floor("3.5")', 'string.format("%.14g", 0.1)', '8 % 3.5', '2^53 % 2',
);

// ---------------------------------------------------------------- string.format
E(
  'string.format("%d", 42)', 'string.format("%5d|%-5d|%05d", 42, 42, 42)', 'string.format("%+d % d", 5, 5)', 'string.format("%d", -0)',
  'string.format("%d", 3.99)', 'string.format("%d", -3.99)', 'string.format("%i", 2^31)', 'string.format("%d", 2^53)', 'string.format("%.3d", 7)',
  'string.format("%x %X %o", 255, 255, 8)', 'string.format("%#x %#o", 255, 8)', 'string.format("%x", -1)', 'string.format("%u", -1)',
  'string.format("%5.2f", 3.14159)', 'string.format("%.0f", 0.5)', 'string.format("%.0f", 1.5)', 'string.format("%.0f", 2.5)',
  'string.format("%.2f", 2.675)', 'string.format("%.3f", 1.0005)', 'string.format("%f", 1/3)', 'string.format("%10.4f|", -2.5)',
  'string.format("%-10.2f|", 2.5)', 'string.format("%010.3f", -3.14159)', 'string.format("%.20f", 0.1)', 'string.format("%f", 1e20)',
  'string.format("%.1f", 0.05)', 'string.format("%.1f", 0.25)', 'string.format("%.1f", 0.35)', 'string.format("%e", 12345.6789)',
  'string.format("%.2e", 0)', 'string.format("%E", 1e-10)', 'string.format("%.0e", 5e10)', 'string.format("%g", 100000)',
  'string.format("%g", 1000000)', 'string.format("%g", 1e-4)', 'string.format("%g", 1e-5)', 'string.format("%g", 0.0001234)',
  'string.format("%.3g", 3.14159)', 'string.format("%.10g", 1/3)', 'string.format("%G", 1e-10)', 'string.format("%#g", 1)',
  'string.format("%g %g %g", 1/0, -1/0, 0)', 'string.format("%5.1f|%-8g|", 1/0, -1/0)', 'string.format("%.14g", 2^63)',
  'string.format("%.14g", 123456789012345)', 'string.format("%.14g", 0.1 + 0.2)', 'string.format("%.17g", 0.1)',
  'string.format("%c%c%c", 76, 117, 97)', 'string.format("%5s|%-5s|", "ab", "ab")', 'string.format("%.2s", "abcdef")',
  'string.format("%s %s", 1, 2.5)', 'string.format("%q", "a\\nb\\"c\\\\d\\0e\\r")', 'string.format("%q", 1/3)',
  'string.format("%%")', 'string.format("%s", ("x"):rep(150)):len()', 'string.format("%-3c|", 65)', 'string.format("%3d|%-3d|", -5, -5)',
  'string.format("[%10s]", "hello")', 'string.format("%.0s", "abc")', 'string.format("%o", 0)', 'string.format("%x", 3.7)',
  'pcall(string.format, "%d", "x")', 'pcall(string.format, "%z", 1)', 'pcall(string.format, "%d")', 'pcall(string.format, "%123d", 1)',
  'pcall(string.format, "%------d", 1)', 'string.format("%s", "a\\0b"):len()', 'string.format("%d%%", 50)', 'string.format("%5.1s|", "abc")',
  'string.format("% 5d", 42)', 'string.format("%+.2f", 0)', 'string.format("%.0f", -0.4)', 'string.format("%g", -0.0)', 'string.format("%e", -0.0)',
  'string.format("%.3g", 100)', 'string.format("%.3g", 1e3)', 'string.format("%g", 123456789)', 'string.format("%#.3x", 1)',
);

// ---------------------------------------------------------------- string library
E(
  'string.len("abc")', '("abc"):len()', '#"\\0\\0"', 'string.sub("hello", 2, 4)', 'string.sub("hello", -3)', 'string.sub("hello", 0)',
  'string.sub("hello", 10)', 'string.sub("hello", 2, 1)', 'string.sub("hello", -100, 100)', 'string.sub("hello", 3, -2)', '("x"):sub(1, 0)',
  'string.upper("aBc1é")', 'string.lower("AbC1")', 'string.rep("ab", 3)', 'string.rep("ab", 0)', 'string.rep("", 5)', 'string.rep("x", -1)',
  'string.reverse("abc")', 'string.reverse("")', 'string.byte("ABC")', 'string.byte("ABC", 2)', 'string.byte("ABC", 1, 3)', 'string.byte("ABC", -1)',
  'string.byte("ABC", 10)', 'string.byte("")', 'string.byte("ABC", 0, 1)', 'string.char(72, 105)', 'string.char()', 'pcall(string.char, 256)',
  'pcall(string.char, "x")', 'string.char(0):len()', '("%d"):format(7)', 'pcall(string.rep)', 'pcall(string.sub)', '("abc"):upper()',
  'string.len(123)', 'string.upper(12.5)', '#string.format("%s", 1e15)',
);

// patterns: find / match / gmatch / gsub
const pat: [string, string][] = [
  ['hello world', 'o w'], ['hello world', 'l+'], ['hello world', '(h)(e)'], ['hello world', '^hello'], ['hello world', '^world'],
  ['hello world', 'world$'], ['hello', '()ll()'], ['abc123def', '%d+'], ['abc123def', '%a+'], ['  trim  ', '^%s*(.-)%s*$'],
  ['key=value', '(%w+)=(%w+)'], ['x = 10', '(%w+)%s*=%s*(%d+)'], ['THE (quick) fox', '%((%a+)%)'], ['f(a(b)c)d', '%b()'],
  ['THE (quick) fox', '%f[%a]%a+'], ['hello.world', '%.'], ['a.b', '.'], ['a+b', 'a%+b'], ['aaa', 'a-'], ['aaa', 'a-b'],
  ['aaab', 'a-b'], ['aaa', 'a*'], ['', 'a*'], ['abc', ''], ['abc', '[b-c]+'], ['abc', '[^a]+'], ['a]b', '[]]'], ['a-b', '[a-]+'],
  ['a^b', '[%^]'], ['hello', 'l?lo'], ['hello', 'x?h'], ['2024-01-15', '(%d+)-(%d+)-(%d+)'], ['abcabc', '(abc)%1'],
  ['ABCdef', '%u+'], ['ABCdef', '%l+'], ['a1!b2@', '%p'], ['tab\there', '%c'], ['0x1F', '%x+$'], ['a\0b', '%z'],
  ['hello', '(l)(l)'], ['hello', '((l)(l))'], ['THE END', '%s'], ['word1 word2', '%S+'], ['12abc', '^%d'], ['abc', '[%a%d]+'],
  ['x$y', '%$'], ['a.b.c', '[.]'], ['aXb', '%W'], ['hello', 'h.-o'], ['[test]', '%[(.-)%]'], ['a,b,,c', '([^,]*)'],
];
for (const [s, p] of pat) {
  const ls = JSON.stringify(s).replace(/\\u0000/g, '\\0');
  const lp = JSON.stringify(p).replace(/\\u0000/g, '\\0');
  P(`print(string.find(${ls}, ${lp}))`);
  P(`print(string.match(${ls}, ${lp}))`);
  P(`local t = {} for a, b in string.gmatch(${ls}, ${lp}) do t[#t+1] = tostring(a) .. "/" .. tostring(b) end print(#t, table.concat(t, " "))`);
  P(`print(string.gsub(${ls}, ${lp}, "<%0>"))`);
}
P('print(string.find("a.b", ".", 1, true))');
P('print(string.find("abc", "b", -1))');
P('print(string.find("abc", "", 10))');
P('print(string.find("abc", "", 4))');
P('print(string.find("abc", "c", -10))');
P('print(string.match("hello", ".", 3))');
P('print(string.match("  x", "()x"))');
P('print(string.gsub("hello world", "o", "0", 1))');
P('print(string.gsub("hello", "", "-"))');
P('print(string.gsub("abc", "%w", "%0%0"))');
P('print(string.gsub("abc", "(a)(b)", "%2%1"))');
P('print(string.gsub("hello world", "%w+", string.upper))');
P('print(string.gsub("$name is $age", "%$(%w+)", {name="bob", age=42}))');
P('print(string.gsub("a b c", "%w", function(c) if c == "b" then return nil end return c:upper() end))');
P('print(string.gsub("abc", "b", false))');
P('print(pcall(string.gsub, "abc", "b", {b = {}}))');
P('print(string.gsub("abc", ".", {a = 1, b = true}))');
P('print(pcall(string.gsub, "abc", "(", "x"))');
P('print(pcall(string.gsub, "abc", "%", "x"))');
P('print(pcall(string.find, "abc", "[a"))');
P('print(pcall(string.find, "abc", "(()"))');
P('print(pcall(string.find, "abc", "%1"))');
P('print(pcall(string.gsub, "abc", "a", "%2"))');
P('print(pcall(string.find, "abc", "%f"))');
P('print(pcall(string.find, "abc", "%b"))');
P('print(pcall(string.gsub, "abc", ".", 1 < 2))');
P('print(string.gsub("abc", "b", "%%"))');
P('print(string.gsub("abc", "b", "%x"))');
P('print(string.gsub("hello", "l+", function(m) return #m end))');
P('print(string.gsub("x", "x", "%1"))');
P('for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do print(k, v) end');
P('for w in string.gmatch("one two three", "%a+") do print(w) end');
P('for p in string.gmatch("abc", "()") do io.write(p, " ") end print()');
P('local it = string.gmatch("aXbXc", "[^X]+") print(it(), it(), it(), it())');
P('print(string.gsub("abc", "^a", "X"))');
P('print(string.gsub("aaa", "^a", "X"))');
P('print(string.find("a\\0b\\0c", "\\0", 1, true))');
P('print(("test"):find("t", 2))');
P('print(string.rep("a", 3, nil))');

// ---------------------------------------------------------------- table library
P('local t = {1,2,3} table.insert(t, 4) print(#t, t[4])');
P('local t = {1,2,3} table.insert(t, 1, 0) print(table.concat(t, ","))');
P('local t = {1,2,3} table.insert(t, 5, 9) print(#t, t[5], t[4])');
P('local t = {1,2,3} print(table.remove(t), #t, table.concat(t, ","))');
P('local t = {1,2,3} print(table.remove(t, 1), table.concat(t, ","))');
P('local t = {} print(table.remove(t), #t)');
P('local t = {1,2,3} print(table.remove(t, 7), #t)');
P('print(pcall(table.insert, {}, 1, 2, 3))');
P('print(pcall(table.insert, nil, 1))');
P('print(table.concat({1, 2, "x", 3.5}, "-"))');
P('print(table.concat({}, ","))');
P('print(table.concat({1,2,3,4,5}, ",", 2, 4))');
P('print(table.concat({1,2,3}, ",", 3, 2))');
P('print(pcall(table.concat, {1, {}, 3}))');
P('print(pcall(table.concat, {1, 2}, ",", 1, 3))');
P('print(table.maxn({1, 2, [10] = 3, [5.5] = 1}))');
P('print(table.maxn({}))');
P('print(table.getn({1, 2, 3}))');
P('local t = {5, 2, 8, 1, 9, 3} table.sort(t) print(table.concat(t, " "))');
P('local t = {5, 2, 8, 1, 9, 3} table.sort(t, function(a, b) return a > b end) print(table.concat(t, " "))');
P('local t = {"banana", "apple", "Cherry", "date"} table.sort(t) print(table.concat(t, " "))');
P('local t = {} for i = 1, 100 do t[i] = (i * 37) % 101 end table.sort(t) local ok = true for i = 2, 100 do if t[i-1] > t[i] then ok = false end end print(ok, t[1], t[100])');
P('local t = {3, 1, "x"} print(pcall(table.sort, t))');
P('local t = {} for i = 1, 20 do t[i] = {k = i % 4, id = i} end table.sort(t, function(a, b) return a.k < b.k end) local o = {} for i = 1, 20 do o[i] = t[i].id end print(table.concat(o, " "))');
P('local t = {5,3,1,4,2} print(pcall(table.sort, t, function(a, b) return true end))');
P('local t = {1,2,3} print(pcall(table.sort, t, 3))');
P('local t = {2,1} table.sort(t) print(t[1], t[2])');
P('local t = {} table.sort(t) print(#t)');
P('local t = {3,3,3,1,1,2,2} table.sort(t) print(table.concat(t))');
P('local s = 0 table.foreachi({10, 20, 30}, function(i, v) s = s + i * v end) print(s)');
P('print(table.foreach({a = 1}, function(k, v) return k .. v end))');
P('print(pcall(table.setn, {}, 1))');

// ---------------------------------------------------------------- # border and tables with holes
E('#{1, 2, 3}', '#{1, nil, 3}', '#{1, nil}', '#{nil, nil, 3}', '#{1, 2, nil}', '#{nil}', '#{}', '#{n = 1}', '#{1, 2, 3, nil, 5}',
  '#{nil, 2}', '#{1, nil, nil, 4}', 'select("#", unpack({1, nil, 3}))');
P('local t = {1,2,3,4,5} t[2] = nil print(#t) t[5] = nil print(#t)');
P('local t = {} for i = 1, 5 do t[i] = i end t[4] = nil print(#t)');
P('local t = {} for i = 1, 10 do t[i] = i end t[10] = nil t[9] = nil print(#t) t[5] = nil print(#t)');
P('local t = {} t[1] = 1 t[2] = 2 t[4] = 4 print(#t)');
P('local t = {} t[2] = 2 print(#t) t[1] = 1 print(#t)');
P('local t = {} for i = 1, 17 do t[i] = i end t[17] = nil t[16] = nil print(#t)');
P('local t = {1, 2, 3} t[5] = 5 print(#t)');
P('local t = {n = 3} for i = 1, 3 do t[i] = i * 2 end print(#t, t.n)');
P('local t = {10, 20, 30, nil, 50} print(#t) t[#t + 1] = 60 print(#t)');
P('local t = {} t[1.5] = 1 t[1] = 2 print(#t, t[1.5])');
P('local t = {} t["1"] = "s" t[1] = "n" print(t["1"], t[1])');
P('local t = {} t[2^53] = 1 print(t[2^53])');
P('local t = {} t[-0] = "z" print(t[0])');
P('local t = {} for i = 1, 8 do t[i] = i end for i = 1, 8 do t[i] = nil end print(#t, next(t))');
P('local t = {a = 1, b = 2, c = 3} for k in pairs(t) do t[k] = nil end print(next(t))');
P('local t = {} for i = 1, 10 do t[i] = i end local s = 0 for k, v in pairs(t) do s = s + v t[k] = nil end print(s, next(t))');
P('local t = {x = 1} print(next(t)) print(next(t, "x"))');
P('print(next({}))');
P('local t = {} for i = 1, 300 do t["k" .. i] = i end local c, s = 0, 0 for k, v in pairs(t) do c = c + 1 s = s + v t[k] = nil end print(c, s, next(t))');
P('local t = {} for i = 1, 300 do t["k" .. i] = i end for i = 1, 300, 2 do t["k" .. i] = nil end local c = 0 for k in pairs(t) do c = c + 1 end print(c) local k, n = next(t), 0 while k do n = n + 1 t[k] = nil k = next(t, k) end print(n, next(t))');
P('local t = {} for i = 1, 200 do t["k" .. i] = i t[i] = i end local c = 0 for k, v in pairs(t) do if type(k) == "string" then t[k] = nil end c = c + 1 end print(c, #t) for i = 1, 200 do t["k" .. i] = i end local n = 0 for k in pairs(t) do n = n + 1 end print(n)');
P('local t = {a = 1, b = 2} t.a = nil t.c = 3 t.a = 4 local n = 0 for k, v in pairs(t) do n = n + v end print(n, t.a, t.b, t.c)');
P('local t = {x = 1} local k = next(t) t.x = nil print(next(t, k)) t.y = 2 print(next(t))');
P('print(pcall(next, {}, "nope"))');
P('local t = {1, 2, 3} local c = 0 for i, v in ipairs(t) do c = c + v end print(c)');
P('local t = {1, 2, nil, 4} local c = 0 for i, v in ipairs(t) do c = c + 1 end print(c)');
P('local t = {10, 20, 30} for k, v in pairs(t) do io.write(k, "=", v, " ") end print()');
P('local t = {} t[1] = "a" t[3] = "c" t[2] = "b" for i, v in ipairs(t) do io.write(v) end print()');
P('print(rawget({5}, 1), rawequal("a", "a"), rawequal({}, {}), rawlen)');
P('local t = rawset({}, "k", "v") print(t.k)');
P('print(pcall(rawset, {}, nil, 1))');
P('local t = {} t.x = nil print(t.x, next(t))');
P('print(unpack({1, 2, 3}))');
P('print(unpack({1, 2, 3}, 2))');
P('print(unpack({1, 2, 3}, 2, 5))');
P('print(unpack({}, 1, 0))');
P('print(select("#", unpack({1, nil, nil})))');
P('print(pcall(unpack, {}, 1, 1e8))');
P('local t = {[1] = "a", [2] = "b", x = "y"} print(t[1], t[2], t.x, #t)');
P('local t = {[1] = "a", "b"} print(t[1])');
P('local t = {"b", [1] = "a"} print(t[1])');
P('local function f() return 1, 2, 3 end local t = {f()} print(#t) t = {f(), f()} print(#t) t = {(f())} print(#t)');
P('local t = {f = function(self, x) return x * 2 end} print(t:f(21))');
P('local t = {} t[true] = 1 t[false] = 2 print(t[true], t[false])');
P('print(pcall(function() local t = {} t[nil] = 1 end))');
P('print(pcall(function() return {[0/0] = 1} end))');

// ---------------------------------------------------------------- base library
P('print(type(nil), type(1), type("x"), type({}), type(print), type(true))');
P('print(pcall(type))');
P('print(tostring(nil), tostring(false), tostring(12), tostring("s"))');
P('print(select(2, "a", "b", "c"))');
P('print(select(-1, "a", "b", "c"))');
P('print(select("#"))');
P('print(select("#", nil, nil))');
P('print(pcall(select, 0, 1))');
P('print(pcall(select, -5, 1))');
P('print(select(5, 1, 2))');
P('print(assert(1, "x"))');
P('print(pcall(assert, false))');
P('print(pcall(assert, nil, "custom message"))');
P('print(pcall(assert, false, 42))');
P('print(pcall(assert))');
P('print(pcall(error, "msg"))');
P('print(pcall(error, "msg", 0))');
P('print(pcall(error))');
P('print(pcall(error, nil))');
P('print(pcall(error, 42))');
P('print(pcall(function() error("in func") end))');
P('print(pcall(function() error("lvl0", 0) end))');
P('print(pcall(function() error(42) end))');
P('print(pcall(function() error({code = 1}) end))');
P('local ok, e = pcall(function() error({code = 7}) end) print(ok, type(e), e.code)');
P('local ok, e = pcall(function() error() end) print(ok, e)');
P('print(xpcall(function() error("boom") end, function(m) return "handled: " .. m end))');
P('print(xpcall(function() return 1, 2 end, print))');
P('print(xpcall(function() local x = nil; return x.y end, function(m) return m:upper() end))');
P('print(pcall(pcall))');
P('print(pcall(pcall, error, "x"))');
P('print(select("#", pcall(error)))');
P('local mt = {__metatable = "locked"} local t = setmetatable({}, mt) print(getmetatable(t)) print(pcall(setmetatable, t, {}))');
P('print(getmetatable("abc").__index.upper == string.upper)');
P('print(getmetatable(1), getmetatable({}))');
P('print(pcall(setmetatable, {}, 1))');
P('print(pcall(setmetatable, 1, {}))');
P('local f = loadstring("return 1 + 1") print(f())');
P('print(loadstring("x ="))');
P('local i = 0 local function rd(x) return function() i = i + 1 return string.sub(x, i, i) end end print(load(rd("*a = 1"))) i = 0 print(load(rd("return 7"))())');
P('print(load(function() return nil end) ~= nil, pcall(load))');
P('print(string.gfind == string.gmatch, type(newproxy()), getmetatable(newproxy(true)) ~= nil)');
P('print(loadstring("return ...", "=chunk")(1, 2))');
P('print(loadstring("error(\'e\')", "=mychunk") and pcall(loadstring("error(\'e\')", "=mychunk")))');
P('print(pcall(loadstring("error(\'e\')")))');
P('print(pcall(loadstring("local x = 1\\nerror(\'e2\')")))');
P('print(loadstring("x = = 2"))');
P('print(loadstring("for"))');
P('print(type(_G), _G._G == _G, _VERSION)');
P('x = 5 print(_G.x, _G["x"]) _G.y = 6 print(y)');
P('print(collectgarbage("collect"))');
P('print(type(collectgarbage("count")))');
P('print(pcall(collectgarbage, "bogus"))');
P('print(type(gcinfo()))');
P('print(type(os.clock()))');
P('print(math.random(1, 1), math.random(5, 5))');
P('local r = math.random() print(r >= 0 and r < 1)');
P('local ok = true for i = 1, 100 do local r = math.random(3) if r < 1 or r > 3 then ok = false end end print(ok)');
P('print(pcall(math.random, 0))');
P('math.randomseed(42) local a = math.random() math.randomseed(42) print(a == math.random(), math.random(7, 7), pcall(math.randomseed))');
P('print(pcall(math.random, 3, 1))');
P('print(pcall(math.floor))');
P('print(pcall(math.floor, "x"))');
P('print(pcall(math.max))');

// ---------------------------------------------------------------- error messages (runtime)
PC(
  'local t; t.x = 1', 'local t = {} t[1]()', 'local t = {} t.x.y = 1', 'return 1 < nil', 'return {} < {}', 'return "a" .. {}',
  'return x + 1', 'local a = "x"; return a + 1', 'return #nil', 'local t = {} return t[1] + 1', 'local t = {} return t.x + 1',
  'local t = {} local k = "x" return t[k] .. "a"', 'local t = {} return t.x.y', 'return -{}', 'return ("x")()', 'local a = {} a.b.c()',
  'return math.floor("x")', 'return ("abc"):bad()', 'return nil .. "x"', 'local x = {} return x < 1', 'local x = {} return 1 < x',
  'local x = {} return 1 > x', 'return "a" <= 1', 'for i = 1, "x" do end', 'for i = "a", 2 do end', 'for i = 1, 2, {} do end',
  'local t = {} t[nil] = 1', 'return #5', 'local a; a.x = 1', 'undefinedfn()', 'local s = "x"; s.y.z = 1', 'local up; (function() up() end)()',
  'local up; (function() return up.x end)()', 'local t = {} t:nomethod()', 'string.nofunc()', 'return 1 + {}', 'return {} + 1',
  'return "abc" + 1', 'return 2 ^ "x"', 'return -"abc"', 'return true .. ""', 'return 1 < "2"', 'return true < false', 'return print < print',
  'local a = {} return a.b.c.d', 'return (nil)()', 'local t = setmetatable({}, {__index = function(t, k) error("idx " .. k) end}) return t.foo',
  'local t = setmetatable({}, {__newindex = function() error("ro", 2) end}) t.x = 1', 'error("lvl2", 2)', 'local x = 5; x()',
  'local t = {} t.f.g = 1', 'return #print', 'return ({}).x.y', 'a.b = 1', 'local f = 1; f.x = 2', 'return 1 .. nil',
  'local s = "a" return s < 1', 'return math.huge < nil',
);
P('local function f() return 1 + f() end print(pcall(f))');
P('local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end print(f(5000))');
P('local t = setmetatable({}, {__index = function(t, k) return k * 2 end}) print(t[21])');

// uncaught errors (reported as ERROR: ...)
P('error("top level")');
P('local x = nil\nprint(x.field)');
P('print("before")\nerror({})');
P('error("no position", 0)');
P('error()');

// ---------------------------------------------------------------- syntax errors
const syn = [
  'x = = 1', 'x', 'f(', 'local function end', 'if x then', 'if x then else', 'for i = 1 do end', 'for i do end', 'while true do',
  'repeat x = 1', 'return 1 x', 'x = "abc', 'x = 3..2', 'goto x', 'x = 1 // 2', 'x = 1 & 2', 'x = ~1', 'x = @', 'break',
  'while true do end break', 'local function f(...) return function() return ... end end', 'x = [[a [[ b]]', 'x = "\\300"',
  'local t = {1, 2', 'x = )', 'f() = 1', '(x) = 1', 'x, f() = 1, 2', 'local 1 = 2', 'function f(a, 1) end', 'function f.a:b.c() end',
  'x = 0x', 'x = 1e', 'x = 1.2.3', 'return return', 'do end end', 'local x <const> = 1', 'x = function() end end', 'for k, v in pairs(t)',
  'a.b:c = 1', 'x = {[1] 2}', 'x = {a = }', 'print("a"\n("b"))', 'x = 5 y', '--[[ unfinished', 'x = [==[ unfinished', 'x = "a\\\nb"',
  'local a, b, = 1', 'if x then elseif end', 'until x', 'x = not', 'x = #', 'f{...}', 'function f(...) local t = {...} end return 1',
  'x = 1 --[==[ comment ]==] y = 2', 'return;', 'return 1;;', 'local function f() return end', 'x = "\\q"', 'x = 1 ... 2',
  'x = ...', 'function f() x = ... end', 'local x = 1 local y = x + + 2',
];
for (const s of syn) P('print(loadstring(' + JSON.stringify(s).replace(/\\\\/g, '\\\\') + ', "=input"))');
for (const s of syn.slice(0, 8)) P('print(loadstring(' + JSON.stringify(s) + '))');
P('print(loadstring("x = 1\\n\\n\\nx = = 2", "=input"))');
P('print(loadstring("function f()\\n  x = 1\\n", "=input"))');
P('print(loadstring("local t = {\\n1,\\n2\\n", "=input"))');
P('print(loadstring("f(\\n1,\\n2", "=input"))');
P('print(loadstring(("x = 1\\n"):rep(3) .. "if", "=input"))');
P('print(loadstring("x = 1", "@file.lua"))');
P('print(pcall(loadstring("local x = nil; return x.y", "@some/file.lua")))');
P('print(pcall(loadstring("return nil + 1", "a very long chunk name that goes on and on and on and on and on")))');

// ---------------------------------------------------------------- metamethods
P('local V = {} V.__index = V V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end local a = setmetatable({x = 1}, V) local b = setmetatable({x = 2}, V) print((a + b).x)');
P('local mt = {__add = function(a, b) return "add" end, __sub = function() return "sub" end, __mul = function() return "mul" end, __div = function() return "div" end, __mod = function() return "mod" end, __pow = function() return "pow" end, __unm = function() return "unm" end} local t = setmetatable({}, mt) print(t + 1, 1 + t, t - 1, t * 1, t / 1, t % 1, t ^ 1, -t)');
P('local mt = {__concat = function(a, b) return "cat" end} local t = setmetatable({}, mt) print(t .. "x", "x" .. t, 1 .. t)');
P('local mt = {__concat = function(a, b) return (type(a) == "table" and "T" or a) .. "+" .. (type(b) == "table" and "T" or b) end} local t = setmetatable({}, mt) print("a" .. "b" .. t .. "c")');
P('local mt = {__eq = function(a, b) return true end} local a, b = setmetatable({}, mt), setmetatable({}, mt) print(a == b, a ~= b, a == 1)');
P('local a, b = setmetatable({}, {__eq = function() return true end}), setmetatable({}, {__eq = function() return true end}) print(a == b)');
P('local mt = {__lt = function(a, b) return a.v < b.v end, __le = function(a, b) return a.v <= b.v end} local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt) print(a < b, a > b, a <= b, a >= b)');
P('local mt = {__lt = function(a, b) return a.v < b.v end} local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt) print(a <= b, b <= a)');
P('local a = setmetatable({}, {__lt = function() return true end}) print(pcall(function() return a < 1 end))');
P('local t = setmetatable({}, {__call = function(self, a, b) return a + b end}) print(t(2, 3))');
P('local t = setmetatable({}, {__call = function(self, ...) return select("#", ...) end}) print(t(nil, nil))');
P('local t = setmetatable({}, {__tostring = function() return "custom" end}) print(t, tostring(t))');
P('local t = setmetatable({}, {__tostring = function() return 42 end}) print(pcall(tostring, t))');
P('local t = setmetatable({}, {__len = function() return 99 end}) print(#t)');
P('local t = setmetatable({}, {__index = {a = 1, b = 2}}) print(t.a, t.b, t.c)');
P('local base = {greet = function(self) return "hi " .. self.name end} local obj = setmetatable({name = "bob"}, {__index = base}) print(obj:greet())');
P('local log = {} local t = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v) end}) t.a = 1 t.a = 2 t.b = 3 print(table.concat(log, ","), t.a)');
P('local store = {} local t = setmetatable({}, {__newindex = store}) t.x = 5 print(rawget(t, "x"), store.x)');
P('local A = setmetatable({}, {__index = function(t, k) return k .. "!" end}) local B = setmetatable({}, {__index = A}) print(B.hey)');
P('local t = setmetatable({}, {__index = function(t, k) return nil end}) print(t.x)');
P('local mt = {} mt.__index = mt local t = setmetatable({}, mt) print(pcall(function() return t.x end))');
P('local t = setmetatable({}, {__unm = function(a) return "neg" end}) print(-t)');
P('local mt = {__add = function(a, b) return 10 end} local t = setmetatable({}, mt) print(pcall(function() return t + nil end), "5" + 1)');
P('local s = setmetatable({}, {__index = string}) print(s.format("%d", 3))');
P('print(rawequal(setmetatable({}, {__eq = function() return true end}), {}))');
P('local t = setmetatable({}, {__metatable = false}) print(getmetatable(t))');
P('local Account = {} Account.__index = Account function Account.new(b) return setmetatable({balance = b}, Account) end function Account:deposit(v) self.balance = self.balance + v end local a = Account.new(100) a:deposit(50) print(a.balance)');
P('local Animal = {} Animal.__index = Animal function Animal.new(n) local o = setmetatable({}, Animal) o.name = n return o end function Animal:speak() return self.name .. " makes a sound" end local Dog = setmetatable({}, {__index = Animal}) Dog.__index = Dog function Dog.new(n) local o = Animal.new(n) return setmetatable(o, Dog) end function Dog:speak() return self.name .. " barks" end print(Animal.new("cat"):speak(), Dog.new("rex"):speak())');

// ---------------------------------------------------------------- language: closures, varargs, scoping, loops
P('local fs = {} for i = 1, 3 do fs[i] = function() return i end end print(fs[1](), fs[2](), fs[3]())');
P('local fs = {} local i = 1 while i <= 3 do local j = i fs[i] = function() return j end i = i + 1 end print(fs[1](), fs[3]())');
P('local fs = {} for _, v in ipairs({"a", "b"}) do fs[#fs + 1] = function() return v end end print(fs[1](), fs[2]())');
P('local function counter() local c = 0 return function() c = c + 1 return c end end local a, b = counter(), counter() print(a(), a(), b())');
P('local x = 1 local function f() x = x + 1 end f() f() print(x)');
P('local function f(...) return select("#", ...), ... end print(f(1, nil, 3))');
P('local function f(...) local a, b = ... return a, b end print(f(1))');
P('local function f(...) return ... end print(f())');
P('local function f(...) local t = {...} return #t end print(f(1, 2, 3))');
P('local function f(a, ...) return a, select("#", ...) end print(f(1, 2, 3))');
P('local function f() return 1, 2 end local a, b, c = f() print(a, b, c)');
P('local function f() return 1, 2 end local a, b, c = f(), 10 print(a, b, c)');
P('local function f() return 1, 2 end print(f(), f())');
P('local function f() return 1, 2 end print((f()))');
P('local function f() end print(f())');
P('local function f() end print((f()))');
P('local function f() return nil end print(f())');
P('print(select("#", (function() end)()))');
P('local a, b = 1 print(a, b)');
P('local a, b = 1, 2, 3 print(a, b)');
P('local a, b, c = (function() return 1, 2, 3 end)() print(a, b, c)');
P('a, b = 1, 2 a, b = b, a print(a, b)');
P('local t = {} t.x, t.y = 1, 2 print(t.x, t.y)');
P('local i = 1 local t = {} i, t[i] = i + 1, 20 print(i, t[1], t[2])');
P('local x = 1 do local x = 2 print(x) end print(x)');
P('local x = 1 local x = x + 1 print(x)');
P('for i = 1, 3 do print(i) end');
P('for i = 3, 1, -1 do io.write(i, " ") end print()');
P('for i = 1, 0 do print("never") end print("done")');
P('for i = 1, 2, 0.5 do io.write(i, " ") end print()');
P('for i = 0.1, 0.5, 0.1 do io.write(i, " ") end print()');
P('for i = 1, 3 do local j = i * 2 i = j end print("ok")');
P('for i = "1", "3" do io.write(i, " ") end print()');
P('for i = 10, 1, -3 do io.write(i, " ") end print()');
P('for i = 1, math.huge do if i > 3 then break end io.write(i) end print()');
P('local i = 0 while true do i = i + 1 if i == 5 then break end end print(i)');
P('local i = 0 repeat i = i + 1 until i >= 3 print(i)');
P('local i = 0 repeat local j = i i = i + 1 until j >= 2 print(i)');
P('local s = 0 for i = 1, 10 do if i % 2 == 0 then s = s + i end end print(s)');
P('local t = {} for i = 1, 3 do for j = 1, 3 do if j > i then break end t[#t + 1] = i .. j end end print(table.concat(t, " "))');
P('local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end print(fib(20))');
P('local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end print(fact(10), fact(20), fact(25))');
P('local t = {} for i = 1, 10 do t[i] = i * i end print(table.concat(t, ","))');
P('print(1 and 2, nil and 1, false or "x", nil or false, 1 or error("no"))');
P('print(not nil, not 0, not "", not not nil)');
P('print(1 == 1.0, "1" == 1, nil == false, {} == {})');
P('local a = {} local b = a print(a == b)');
P('print(2 + 3 * 4, (2 + 3) * 4, 2 ^ 3 ^ 2, -2 ^ 2, not 1 == 2)');
P('print("a" .. "b" .. "c" == "abc", 1 .. 2 .. 3)');
P('print(1 < 2 == true, "x" < "y" == true)');
P('local s = "" for i = 1, 5 do s = s .. i end print(s)');
P('local t = {1, 2, 3} local s = 0 for _, v in ipairs(t) do s = s + v end print(s)');
P('print(#"hello", #{1, 2})');
P('local x = 10 local function f() local x = 20 return x end print(f(), x)');
P('local function f(n) if n > 0 then return f(n - 1) end return "done" end print(f(5000))');
P('print(string.format("%5.1f", 3.14159), ("%d items"):format(3))');
P('local t = {"a", "b", "c"} print(t[#t], #t)');
P('print(type(...))');
P('local function v(...) return arg end print(v(1, 2).n)');
P('local function v(...) local x = ... return arg end print(v(1, 2))');
P('print(math.max(3, 1, 2), math.min(3, 1, 2))');
P('do local a = 1 end print(a)');
P('local t = {} function t.f(x) return x end function t:g(x) return self == t, x end print(t.f(1), t:g(2))');
P('local obj = {v = 1} function obj.m(self) return self.v end print(obj:m(), obj.m(obj))');
P('local a = {b = {c = {}}} function a.b.c.f() return "deep" end print(a.b.c.f())');
P('print(("x"):rep(3), ("%d"):rep(2))');
P('local s = "hello" print(s:upper(), s:len(), s:sub(2, 3), s:byte(1))');
P('print(#{n = 1, 1, 2, 3})');
P('local t = {10, 20, 30, [10] = 100} print(#t, t[10])');
P('goto = 1 print(goto)');
P('local function f() return end print(f())');
P('print(pcall(function() local a = {} ; return a.b.c end))');
P('local x = 0 for i = 1, 1000 do x = x + i end print(x)');
P('local t = {} for i = 1, 1000 do t[#t + 1] = i end print(#t, t[500])');
P('local t = {} for i = 1, 100 do t[i] = i end for i = 1, 100, 2 do t[i] = nil end local c = 0 for k in pairs(t) do c = c + 1 end print(c)');
P('local s = {} for w in ("the quick brown fox"):gmatch("%a+") do s[#s + 1] = w:reverse() end print(table.concat(s, " "))');
P('local n = 0 for k, v in pairs({a = 1, b = 2, c = 3}) do n = n + v end print(n)');
P('print(tostring(print):sub(1, 9), tostring({}):sub(1, 6))');
P('local t = {} t[1] = 1 t[100] = 100 print(#t)');
P('print(2^31 | 0)');
P('print(10 // 3)');
P('print(math.floor(-0.0), 1/math.floor(-0.0) < 0)');
P('print(string.format("%.14g", -0.0), -0.0 == 0)');
P('local z = 0 print(-z, z * -1)');
P('print(1e308 * 10 == math.huge, -1e308 * 10 == -math.huge)');
P('print(string.format("%d", -2^63))');
P('print(9007199254740993, 2^53 + 1 == 2^53)');
P('print(tostring(1e15), tostring(1e15 + 0.5), tostring(-1e15 - 0.5))');
P('print(0.1 + 0.7, 0.3 - 0.1, 1.1 * 1.1, 1 / 7)');
P('print(100000000000000, 99999999999999.9, 1e14 / 3)');
P('print(tostring(3) == "3", tostring(3.0) == "3", 3 == 3.0)');
P('print(math.floor(1e100) == 1e100, math.huge - math.huge ~= math.huge - math.huge)');


// ---------------------------------------------------------------- coroutines
P('local co = coroutine.create(function(a, b) print("start", a, b) local c = coroutine.yield(a + b) print("got", c) local d, e = coroutine.yield(c * 2) print("got2", d, e) return "done", 99 end) print(coroutine.status(co)) print(coroutine.resume(co, 1, 2)) print(coroutine.status(co)) print(coroutine.resume(co, 10)) print(coroutine.resume(co, "x", "y")) print(coroutine.status(co)) print(coroutine.resume(co))');
P('local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) print(gen(), gen(), gen())');
P('local function producer() return coroutine.wrap(function() for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end end) end for v in producer() do io.write(v, " ") end print()');
P('print(pcall(coroutine.yield, 1))');
P('print(coroutine.running())');
P('local co2 = coroutine.create(function() print(coroutine.status(coroutine.running())) error("oops") end) print(coroutine.resume(co2)) print(coroutine.resume(co2))');
P('local co3 = coroutine.create(function() pcall(coroutine.yield, 1) end) print(coroutine.resume(co3))');
P('local w = coroutine.wrap(function() error("werr") end) print(pcall(w))');
P('local w = coroutine.wrap(function() error({}) end) print(pcall(w))');
P('print(pcall(coroutine.create, print))');
P('print(pcall(coroutine.create, 1))');
P('print(pcall(coroutine.resume, 1))');
P('local function deep(n) if n == 0 then coroutine.yield("bottom") return 0 end return 1 + deep(n - 1) end local co4 = coroutine.create(deep) print(coroutine.resume(co4, 50)) print(coroutine.resume(co4))');
P('local outer = coroutine.create(function() local inner = coroutine.create(function() coroutine.yield("in1") return "in-done" end) print("inner:", coroutine.resume(inner)) coroutine.yield("out1") print("inner:", coroutine.resume(inner)) print(coroutine.status(inner)) end) print(coroutine.resume(outer)) print(coroutine.resume(outer))');
P('local t = setmetatable({}, {__index = function(t, k) return coroutine.yield(k) end}) print(coroutine.resume(coroutine.create(function() return t.x end)))');
P('print(select("#", coroutine.resume(coroutine.create(function() coroutine.yield() end))))');
P('local co = coroutine.create(function(...) return select("#", ...), ... end) print(coroutine.resume(co, nil, 2, nil))');
P('local co co = coroutine.create(function() print(coroutine.status(co)) print(coroutine.resume(co)) end) coroutine.resume(co)');
P('local function gen(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end) end local s = 0 for i in gen(100) do s = s + i end print(s)');
P('local co = coroutine.wrap(function() local t = {} for i = 1, 3 do t[i] = coroutine.yield(i) end return table.concat(t, ",") end) print(co(), co("a"), co("b"), co("c"))');
P('local obj = {n = 0} function obj:step() self.n = self.n + 1 coroutine.yield(self.n) end local co = coroutine.wrap(function() while true do obj:step() end end) print(co(), co(), co())');
P('local co = coroutine.create(function() local x = nil return x.y end) print(coroutine.resume(co))');
P('local co = coroutine.wrap(function() return 1, 2, 3 end) print(co())');
P('local co = coroutine.wrap(function() end) co() print(pcall(co))');
P('print(type(coroutine.create(function() end)), tostring(coroutine.create(function() end)):sub(1, 7))');
P('local co = coroutine.create(function() table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end) end) print(coroutine.resume(co))');
P('local co = coroutine.create(function() for k in function() coroutine.yield(1) end do end end) print(coroutine.resume(co))');


// ---------------------------------------------------------------- misc coverage
E('"\\200" < "a"', '"a\\255" > "a\\127"', 'string.byte("\\255")', '#"\\195\\169"', 'string.upper("\\233abc")', 'string.format("%q", "\\200\\1")',
  'string.rep("ab", 3, ",")', 'tostring(-(0/0))', 'tostring(0/0)', 'math.huge == math.huge', '-math.huge < math.huge', 'math.floor(2^60)',
  'math.fmod(5.5, 2)', 'math.fmod(-5.5, 2)', 'math.max(0/0, 1) ~= math.max(0/0, 1)', 'math.min(1, 0/0)', 'math.abs(-0.0)', 'string.format("%5.2s|", "abc")',
  '(2^53):: nil', 'select(-2, "a", "b", "c")', 'tostring(true):upper()', 'tonumber("0x1p4")', 'tonumber("1e+2")', 'tonumber("1E-2")', 'tonumber(" 0x10 ")',
  'tonumber("10", 36)', 'tonumber("Z", 36)', 'tonumber("-10", 16)', 'pcall(tonumber, "10", 1)', 'pcall(tonumber, "10", 37)', 'tonumber("", 16)',
  'tonumber("7fffffff", 16)', 'tonumber("ffffffffffffffff", 16)', 'string.format("%d", "12")', 'string.format("%s", 12)', 'pcall(string.format, "%s")',
  'pcall(string.format, "%s", {})', 'pcall(string.format, "%d", {})', 'string.format("%-5.1f|", 2.25)', 'string.format("%.3e", 123456)', 'string.format("%g", 2^63)',
  'string.format("%.0f", 2^63)', 'string.format("%.15g", 0.1)', 'string.format("%.16g", 0.1)', 'string.format("%x", 2^32)', 'string.format("%5c|", 66)',
);
C.splice(C.indexOf('print((2^53):: nil)'), 1);
P('local t = {} t[1], t[2], t[3] = 1, nil, 3 print(#t, select("#", unpack(t)))');
P('print(xpcall(function() error("a") end, function(m) error("handler failed") end))');
P('print(pcall(xpcall))');
P('print(xpcall(error, function(m) return "H:" .. tostring(m) end, "ignored"))');
P('local ok, e = pcall(error, setmetatable({}, {__tostring = function() return "custom err" end})) print(ok, tostring(e))');
P('local t = setmetatable({}, {__index = table}) t:insert("a") t:insert("b") print(t:concat(","))');
P('local s = 0 for i = 10, 1, -1 do s = s * 2 + i end print(s)');
P('local a = {} for i = 1, 5 do a[#a + 1] = function() return i end end local s = 0 for _, f in ipairs(a) do s = s + f() end print(s)');
P('local x = 0 local function inc() x = x + 1 return x end local t = {inc(), inc(), inc()} print(t[1], t[2], t[3], x)');
P('local t = {n = 0} function t:add(...) for i = 1, select("#", ...) do self.n = self.n + select(i, ...) end return self end print(t:add(1, 2):add(3).n)');
P('print(("a,b,,c"):gsub(",", ";"))');
P('print(("key1=val1;key2=val2"):match("key2=(%w+)"))');
P('local parts = {} for p in ("a.b.c"):gmatch("[^.]+") do parts[#parts + 1] = p end print(#parts, parts[3])');
P('print(string.format("%-10s|%10s|", "left", "right"))');
P('local function split(s, sep) local out = {} for piece in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do out[#out + 1] = piece end return out end local r = split("a||b||c", "||") print(#r, r[1], r[2], r[3])');
P('print(tostring(12345678901234567890), 12345678901234567890 == 2^64 * 0.66)');
P('print(math.floor(-3.5), math.ceil(-3.5), math.floor(3), -7 % 0 ~= -7 % 0)');
P('local t = {3, 1, 2} table.sort(t, function(a, b) return a > b end) print(t[1], t[2], t[3])');
P('local t = {"b", "a", "c"} table.sort(t, function(a, b) return a < b end) print(table.concat(t))');
P('local words = {} for w in ("banana apple cherry apple"):gmatch("%a+") do words[w] = (words[w] or 0) + 1 end print(words.apple, words.banana, words.cherry)');
P('local r = {} for i = 1, 3 do r[#r + 1] = string.format("%02d", i) end print(table.concat(r, ":"))');
P('print(#table.concat({}, "x"), table.concat({"a"}, "x"), table.concat({1, 2}, 3))');
P('print(next({}, nil), type(next), rawequal(next, next))');
P('local t = {} setmetatable(t, {__newindex = function(t, k, v) rawset(t, k, v * 2) end}) t.a = 5 t.a = 7 print(t.a)');
P('local mt = {__index = function(t, k) return k end} local t = setmetatable({}, mt) print(t[1], t.x, t[true])');
P('local Stack = {} Stack.__index = Stack function Stack.new() return setmetatable({items = {}, size = 0}, Stack) end function Stack:push(v) self.size = self.size + 1 self.items[self.size] = v end function Stack:pop() local v = self.items[self.size] self.items[self.size] = nil self.size = self.size - 1 return v end local s = Stack.new() s:push(1) s:push(2) print(s:pop(), s:pop(), s.size)');
P('local t = {} t.a = 1 t.b = nil t.c = 3 local keys = {} for k in pairs(t) do keys[#keys + 1] = k end table.sort(keys) print(table.concat(keys, ","))');
P('local r = {} for k, v in pairs({10, 20, x = 1}) do r[#r + 1] = tostring(k) end table.sort(r) print(table.concat(r, " "))');
P('print(rawget(setmetatable({}, {__index = function() return 1 end}), "x"))');
P('print(#setmetatable({1, 2, 3}, {__len = function() return 0 end}))');
P('local a = setmetatable({}, {__concat = function(x, y) return "C" end}) print(a .. a, pcall(function() return a .. nil end))');
P('print(pcall(function() local a = setmetatable({}, {}) return a < a end))');
P('print(pcall(function() return {} .. "" end))');
P('local t = {} t[1] = t print(t[1][1][1] == t)');
P('print(string.find("abc", "b", nil, nil))');
P('print(("abc"):find("B"))');
P('print(string.gsub("hello world", "(o)", "[%1]", 5))');
P('print(string.gsub("abc", "", "-", 2))');
P('print(pcall(string.gsub, "abc", "b"))');
P('print(string.match("2024-01-02T10:20:30", "(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)"))');
P('print(string.match("  padded  ", "^%s*(.-)%s*$") .. "|")');
P('print(string.format("%s=%d", "n", 3), ("x"):byte(), ("%a"):len())');


// ---------------------------------------------------------------- environments
P('X = 20 local f = function() return X end print(f(), getfenv(f) == _G, getfenv() == _G, getfenv(1) == _G) setfenv(f, {X = 5}) print(f(), X)');
P('X = 1 local function mk() return function() return X end end setfenv(mk, {X = "inherited"}) print(mk()())');
P('local function sandbox() setfenv(1, setmetatable({}, {__index = _G})) Y = 1 return Y, rawget(_G, "Y") end print(sandbox())');
P('print(pcall(setfenv, print, {}))');
P('print(pcall(getfenv, -1))');
P('local g = function() return getfenv(1).marker end setfenv(g, {getfenv = getfenv, marker = "m"}) print(g())');
P('print(type(getfenv(print)), select("#", setfenv(function() end, {})))');
P('local t = setmetatable({}, {__tostring = function() return nil end}) print(tostring(t), pcall(print, t))');
P('local f = loadstring("return x") setfenv(f, {x = "from env"}) print(f())');


// ---------------------------------------------------------------- pairs()/next() order (5.1 node layout)
const ORD = 'local function keys(t) local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end return table.concat(o, " ") end ';
P(ORD + 'local t = {} for _, k in ipairs{"a","b","c","d","e","name","age","x","y","zz"} do t[k] = 1 end print(keys(t))');
P(ORD + 'local t = {} for _, k in ipairs{1.5, 2.5, -1, 100, 1e10, 3.25, 0.5} do t[k] = 1 end print(keys(t))');
P(ORD + 'print(keys({x = 1, y = 2, z = 3, w = 4}))');
P(ORD + 'print(keys({[true] = 1, [false] = 2, a = 3, [10] = 4}))');
P(ORD + 'print(keys({1, 2, 3, a = "x", b = "y", [10] = 10, [-1] = "m"}))');
P(ORD + 'local t = {} for i = 1, 40 do t["key" .. i] = i end print(keys(t))');
P(ORD + 'local t = {} for i = 1, 40 do t["key" .. i] = i end for i = 1, 40, 3 do t["key" .. i] = nil end print(keys(t)) for i = 1, 5 do t["new" .. i] = i end print(keys(t))');
P(ORD + 'local t = {a = 1, b = 2, c = 3} t.b = nil t.d = 4 print(keys(t)) t.b = 5 print(keys(t))');
P(ORD + 'local t = {} for i = 10, 1, -1 do t[i * 2] = i end print(keys(t), #t)');
P(ORD + 'local t = {} for i = 1, 20 do t[i] = i end for i = 1, 20, 2 do t[i] = nil end t.x = 1 t.y = 2 print(keys(t), #t)');
P(ORD + 'local t = {} t[1] = 1 t[2] = 2 t[4] = 4 t[8] = 8 t.k = "v" print(keys(t), #t)');
P(ORD + 'local t = {name = "n", id = 7, tags = "t", score = 1.5} print(keys(t)) t.extra = true print(keys(t))');
P(ORD + 'local t = {} for _, w in ipairs{"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog"} do t[w] = #w end print(keys(t))');
P(ORD + 'local t = {} for i = 1, 100 do t[i .. ""] = i end local n, first = 0 for k in pairs(t) do n = n + 1 first = first or k end print(n, first)');
P('local t = {a = 1, b = 2, c = 3, d = 4} for k, v in pairs(t) do if v % 2 == 0 then t[k] = nil end end local o = {} for k in pairs(t) do o[#o + 1] = k end print(table.concat(o, ","))');
P('local t = {x = 1, y = 2} local k1 = next(t) local k2 = next(t, k1) print(k1, k2, next(t, k2))');

export const CASES = C;

// ---------------------------------------------------------------- Redis extras (needs lua-cjson and lua-bitop for the reference)
const X: string[] = [];
const XE = (...exprs: string[]): void => {
  for (const e of exprs) X.push('print(' + e + ')');
};
XE(
  'cjson.encode({1, 2, 3})', 'cjson.encode({})', 'cjson.encode({a = 1})', 'cjson.encode("a/b\\"c\\\\d\\n\\t\\1\\127")', 'cjson.encode(1.5)',
  'cjson.encode(1e15)', 'cjson.encode(123456789012345)', 'cjson.encode(0.1)', 'cjson.encode(-0.0)', 'cjson.encode(true)', 'cjson.encode(nil)',
  'cjson.encode(cjson.null)', 'cjson.encode({1, nil, 3})', 'cjson.encode({[1] = 1, [2] = 2, [4] = 4})', 'pcall(cjson.encode, {[1] = 1, [20] = 2})',
  'cjson.encode({[1] = 1, [10] = 2})', 'cjson.encode({[11] = 1})', 'pcall(cjson.encode, {[12] = 1})', 'cjson.encode({{}, {{}}})',
  'cjson.encode({x = {y = {z = "deep"}}})', 'cjson.encode({[1.5] = 1})', 'cjson.encode({[3] = "c"})', 'pcall(cjson.encode, print)',
  'pcall(cjson.encode, 1/0)', 'pcall(cjson.encode, 0/0)', 'pcall(cjson.encode, {[true] = 1})', 'cjson.encode("\\200\\255")',
  'cjson.encode(2^53)', 'cjson.encode({-1, -2.5, 1e-10})', 'pcall(cjson.encode)', 'cjson.encode({["1"] = "s"})',
  'cjson.decode("[1,2,3]")[2]', '#cjson.decode("[1,2,3]")', 'cjson.decode("{\\"a\\":{\\"b\\":[10,20]}}").a.b[2]', 'cjson.decode("\\"x\\\\u0041\\\\n\\"")',
  'cjson.decode("1e2")', 'cjson.decode("-0.5")', 'cjson.decode("12345678901234567890")', 'cjson.decode("true")', 'cjson.decode("null") == cjson.null',
  'type(cjson.null)', 'cjson.decode("[null]")[1] == cjson.null', 'pcall(cjson.decode, "")', 'pcall(cjson.decode, "[1,2")', 'pcall(cjson.decode, "{1:2}")',
  'pcall(cjson.decode, "[1 2]")', 'pcall(cjson.decode, "{\\"a\\" 1}")', 'pcall(cjson.decode, "{\\"a\\":1,}")', 'pcall(cjson.decode, "[1] x")',
  'pcall(cjson.decode, "\\"abc")', 'pcall(cjson.decode, "nul")', 'pcall(cjson.decode, "\\"\\\\q\\"")', 'cjson.decode("\\"\\\\u00e9\\"") == "\\195\\169"',
  'cjson.decode("\\"\\\\ud83d\\\\ude00\\"") == "\\240\\159\\152\\128"', 'cjson.decode(" [ ] ")[1]', 'next(cjson.decode("{}"))', 'cjson.decode("[[[[1]]]]")[1][1][1][1]',
  'pcall(cjson.decode, string.rep("[", 1001) .. string.rep("]", 1001))', 'pcall(cjson.decode, string.rep("[", 1000) .. string.rep("]", 1000))',
  'pcall(cjson.encode, (function() local t = {} local c = t for i = 1, 1001 do c[1] = {} c = c[1] end return t end)())',
  'cjson.encode(cjson.decode("[1.5,\\"x\\",true,false,null]"))', 'cjson.decode("0.1") + cjson.decode("0.2")', 'cjson.decode("[1,2,3]")[4]',
  'bit.tobit(2^32 + 5)', 'bit.tobit(-1)', 'bit.tobit(2^31)', 'bit.tobit(1.5)', 'bit.tobit(2.5)', 'bit.tobit(-1.5)', 'bit.tohex(255)', 'bit.tohex(-1)',
  'bit.tohex(255, 4)', 'bit.tohex(255, -4)', 'bit.tohex(0x12345678, 2)', 'bit.bnot(0)', 'bit.band(0xff, 0x0f, 0x3)', 'bit.bor(1, 2, 4)', 'bit.bxor(5, 3)',
  'bit.lshift(1, 31)', 'bit.lshift(1, 32)', 'bit.lshift(1, 33)', 'bit.rshift(-1, 28)', 'bit.arshift(-256, 4)', 'bit.rol(0x12345678, 8)', 'bit.ror(0x12345678, 8)',
  'bit.bswap(0x12345678)', 'bit.band()', 'pcall(bit.band, "x")', 'bit.band("255", 15)', 'bit.tobit(2^53)', 'bit.bor(0xffffffff, 0)', 'bit.tohex(bit.bnot(5))',
);
X.push('local t = cjson.decode("{\\"k\\":[1,{\\"z\\":null}]}") print(#t.k, t.k[2].z == cjson.null)');
X.push('print(cjson.encode({name = "n", id = 7, tags = {"a", "b"}, score = 1.5, ok = true}))');
X.push('print(cjson.encode(cjson.decode("{\\"b\\":1,\\"a\\":2,\\"c\\":{\\"y\\":1,\\"x\\":2}}")))');
X.push('local t = {} for i = 1, 20 do t["f" .. i] = i end print(cjson.encode(t))');
X.push('print(cjson.encode({[1] = 1, [2] = 2, x = 3}))');
X.push('local s = cjson.encode({list = {1, 2}, n = 3.25}) local d = cjson.decode(s) print(d.list[2], d.n)');
export const EXTRA_CASES = X;
