/**
 * An Espruino-shaped `node:vm` context: a fresh V8 realm cut down to the builtins Espruino 2v29
 * has (measured on the Linux build, see shared/specs/espruino.md and
 * test/build/espruino-builtins.test.ts, which re-measures this table on the real interpreter),
 * plus a few of Espruino's semantics that are cheap to imitate and that code tends to trip on.
 * Device code that uses a builtin Espruino lacks fails here, in a test, instead of on a board.
 *
 * What it does:
 * - Globals: keeps only those Espruino has (and the project allows: `globalThis` exists on
 *   Espruino 2v29 but is forbidden by the team rules), adds `print`, a minimal `console`, and
 *   Espruino's timers (`setTimeout`/`setInterval`/`clear*`, numeric ids). `require`, `process`,
 *   `E`, … exist only when passed as `globals` (doubles).
 * - Builtins: deletes every static, prototype and instance member Espruino lacks
 *   (`Array.from`, `Number.isFinite`, `Math.trunc`, `Object.freeze`, `Promise.prototype.finally`,
 *   `Promise.race`, `String.prototype.trimStart`, `Date.UTC`, `setUTC*`, typed-array `from`,
 *   `ArrayBuffer.prototype.slice`, `Error.prototype.name`, …).
 * - Methods reachable on instances but NOT on the prototype object, as on Espruino:
 *   `[].slice` works, `Array.prototype.slice` is undefined (likewise String, Number#toFixed,
 *   Function#call/apply/bind, Date, RegExp, Promise#then/catch, DataView, typed arrays).
 *   Why Espruino does that: it finds a built-in method in a table chosen by the receiver's type
 *   (array, string, function, …; scripts/build_jswrapper.py), and `Array.prototype` itself is a
 *   plain object, so no table matches. Emulated with an accessor on the prototype that answers
 *   `undefined` when read on the prototype itself and the method otherwise.
 * - Semantics: `split(sep, limit)` ignores the limit; `replace`/`replaceAll` with a string pattern
 *   insert the replacement as text (a function's source!), with a RegExp only `$1`..`$9` expand;
 *   `JSON.stringify` ignores the replacer and `JSON.parse` the reviver; an unparsable date string
 *   gives epoch 0 (`new Date('x')`, `Date.parse('x')`); `Math.pow`/`Math.sqrt` use Espruino's
 *   algorithm (exp(log) beyond small integer powers, so `Math.pow(2, 32)` is not 2^32) and
 *   `Math.round` rounds halves away from zero; `sort` is not stable (arrays are reversed before
 *   sorting so code relying on stability fails); `Object.defineProperty` ignores
 *   `enumerable: false`; `encodeURIComponent` throws on non-ASCII (Espruino garbles it) and
 *   `decodeURIComponent` throws on bytes ≥ 0x80 ("Invalid URI").
 *
 * Not emulated (document, don't rely on): V8's non-configurable constants cannot be deleted
 * (`Number.EPSILON`, `Number.MAX_SAFE_INTEGER`, `Number.MIN_SAFE_INTEGER`: test/build/bundle.test.ts
 * scans the bundles for them instead), function/var hoisting (the bundle test runs the real
 * interpreter for that), number-to-string precision (Espruino prints ~12 significant digits:
 * `String(0.1 + 0.2) === "0.3"`), integer-like keys keeping insertion order, `arguments.length`
 * being max(declared, passed), `array.length = n` throwing, extra properties on typed arrays
 * throwing, `Function#name` being undefined, `return` in `finally`, JSON.parse leniency,
 * regular-expression limits, 8-bit strings on ESP32.
 */
import vm from 'node:vm';

/** What Espruino has of one builtin: statics, members readable on the prototype object, members only on instances. */
export interface BuiltinShape {
  readonly statics: readonly string[];
  readonly proto: readonly string[];
  readonly instance: readonly string[];
}

/** Globals of Espruino 2v29 that V8 also has and the project allows (`globalThis` and `global` are forbidden). */
export const ESPRUINO_GLOBALS: readonly string[] = [
  'Object', 'Function', 'Array', 'String', 'Number', 'Boolean', 'Date', 'RegExp', 'Error', 'TypeError',
  'SyntaxError', 'ReferenceError', 'Math', 'JSON', 'Promise', 'ArrayBuffer', 'DataView', 'Int8Array',
  'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'encodeURIComponent', 'decodeURIComponent', 'isFinite', 'isNaN',
  'parseInt', 'parseFloat', 'eval', 'Infinity', 'NaN', 'undefined',
];

const TYPED_ARRAY_INSTANCE = [
  'buffer', 'byteLength', 'byteOffset', 'length', 'every', 'fill', 'filter', 'find', 'findIndex', 'forEach',
  'includes', 'indexOf', 'join', 'map', 'reverse', 'reduce', 'set', 'slice', 'some', 'sort', 'subarray',
];

/**
 * Members of Espruino 2v29's builtins (measured: `typeof Ctor.x`, `typeof Ctor.prototype.x` and
 * `typeof instance.x` for every member V8 has). `TypedArray` stands for V8's shared
 * %TypedArray% constructor and prototype.
 */
export const ESPRUINO_BUILTINS: Readonly<Record<string, BuiltinShape>> = {
  Object: {
    statics: ['assign', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors', 'getOwnPropertyNames', 'create',
      'defineProperties', 'defineProperty', 'getPrototypeOf', 'setPrototypeOf', 'keys', 'entries', 'fromEntries', 'values'],
    proto: ['hasOwnProperty', 'toString', 'valueOf', '__proto__'],
    instance: [],
  },
  Function: { statics: [], proto: ['toString'], instance: ['length', 'apply', 'bind', 'call'] },
  Array: {
    statics: ['isArray'],
    proto: ['toString'],
    instance: ['length', 'concat', 'fill', 'find', 'findIndex', 'pop', 'push', 'reverse', 'shift', 'unshift', 'slice',
      'sort', 'splice', 'includes', 'indexOf', 'join', 'forEach', 'filter', 'map', 'every', 'some', 'reduce'],
  },
  String: {
    statics: ['fromCharCode'],
    proto: ['toString', 'valueOf'],
    instance: ['length', 'charAt', 'charCodeAt', 'concat', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'match',
      'padEnd', 'padStart', 'repeat', 'replace', 'replaceAll', 'slice', 'split', 'substr', 'substring', 'startsWith',
      'trim', 'toLowerCase', 'toUpperCase'],
  },
  Number: {
    statics: ['MAX_VALUE', 'MIN_VALUE', 'NaN', 'NEGATIVE_INFINITY', 'POSITIVE_INFINITY'],
    proto: ['toString', 'valueOf'],
    instance: ['toFixed'],
  },
  Boolean: { statics: [], proto: ['toString', 'valueOf'], instance: [] },
  Date: {
    statics: ['now', 'parse'],
    proto: ['toString', 'valueOf'],
    instance: ['toISOString', 'toUTCString', 'getDate', 'setDate', 'getDay', 'getFullYear', 'setFullYear', 'getHours',
      'setHours', 'getMilliseconds', 'setMilliseconds', 'getMinutes', 'setMinutes', 'getMonth', 'setMonth', 'getSeconds',
      'setSeconds', 'getTime', 'setTime', 'getTimezoneOffset', 'getUTCDate', 'getUTCDay', 'getUTCFullYear', 'getUTCHours',
      'getUTCMilliseconds', 'getUTCMinutes', 'getUTCMonth', 'getUTCSeconds', 'toJSON'],
  },
  RegExp: { statics: [], proto: ['toString'], instance: ['exec', 'flags', 'source', 'test'] },
  Error: { statics: [], proto: ['toString'], instance: ['message'] },
  TypeError: { statics: [], proto: [], instance: ['message'] },
  SyntaxError: { statics: [], proto: [], instance: ['message'] },
  ReferenceError: { statics: [], proto: [], instance: ['message'] },
  Math: {
    statics: ['abs', 'acos', 'asin', 'atan', 'atan2', 'ceil', 'cos', 'exp', 'floor', 'log', 'max', 'min', 'pow', 'random',
      'round', 'sign', 'sin', 'sqrt', 'tan', 'E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2'],
    proto: [],
    instance: [],
  },
  JSON: { statics: ['parse', 'stringify'], proto: [], instance: [] },
  Promise: { statics: ['all', 'resolve', 'reject'], proto: [], instance: ['then', 'catch'] },
  ArrayBuffer: { statics: [], proto: [], instance: ['byteLength'] },
  DataView: {
    statics: [],
    proto: [],
    instance: ['buffer', 'byteLength', 'byteOffset', 'getInt8', 'setInt8', 'getUint8', 'setUint8', 'getInt16', 'setInt16',
      'getUint16', 'setUint16', 'getInt32', 'setInt32', 'getUint32', 'setUint32', 'getFloat32', 'setFloat32', 'getFloat64',
      'setFloat64'],
  },
  TypedArray: { statics: [], proto: ['toString'], instance: TYPED_ARRAY_INSTANCE },
};

/** Options of {@link createEspruinoSandbox}. */
export interface EspruinoSandboxOptions {
  /** Extra globals (doubles of Espruino modules and globals: `require`, `E`, `ESP32`, …), set after shaping. */
  readonly globals?: Readonly<Record<string, unknown>>;
  /** Called with every line written by `print` or `console.*` (also collected in `output`). */
  readonly onOutput?: (line: string) => void;
  /** Limit for each synchronous `run` (ms). */
  readonly timeoutMs?: number;
}

/** A live Espruino-shaped context. */
export interface EspruinoSandbox {
  /** The context's global object: read what a script defined (`sandbox.global.dormouse`). */
  readonly global: Record<string, unknown>;
  /** Lines written with `print` / `console.*`, in order. */
  readonly output: string[];
  /** Evaluates a script (a bundle) in the context and returns its completion value. */
  run(code: string, filename?: string): unknown;
  /** Cancels the timers the code left pending. */
  dispose(): void;
}

const DEFAULTS = { timeoutMs: 10_000 } as const;

/** The in-context setup: runs inside the fresh realm so every wrapper and error belongs to it. */
const SETUP = String.raw`
(function (G, shape, keepGlobals) {
  var hasOwn = Object.prototype.hasOwnProperty;
  var names = Object.getOwnPropertyNames;
  var descOf = Object.getOwnPropertyDescriptor;
  var define = Object.defineProperty;
  var nativeReplace = String.prototype.replace;
  var nativeSplit = String.prototype.split;
  var nativeIndexOf = String.prototype.indexOf;
  var nativeSlice = String.prototype.slice;
  var nativeJoin = Array.prototype.join;
  var SandboxError = Error;
  var SandboxRegExp = RegExp;
  var isNaNGlobal = isNaN;

  function method(target, name, fn) {
    define(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }

  // --- Espruino semantics -------------------------------------------------------------------
  method(String.prototype, 'split', function split(separator) {
    return nativeSplit.call(this, separator); // the limit argument is ignored
  });

  function expandGroups(text, match) {
    return nativeReplace.call(text, /\$([1-9])/g, function (_m, d) {
      var v = match[Number(d)];
      return v === undefined ? '' : v;
    });
  }
  function espruinoReplace(s, pattern, replacement, all) {
    if (!(pattern instanceof SandboxRegExp)) {
      var p = String(pattern);
      var text = String(replacement); // a function is inserted as its source text
      if (all) return nativeJoin.call(nativeSplit.call(s, p), text);
      var at = nativeIndexOf.call(s, p);
      if (at < 0) return s;
      return nativeSlice.call(s, 0, at) + text + nativeSlice.call(s, at + p.length);
    }
    if (typeof replacement === 'function') return nativeReplace.call(s, pattern, replacement);
    var template = String(replacement);
    return nativeReplace.call(s, pattern, function () {
      return expandGroups(template, arguments);
    });
  }
  method(String.prototype, 'replace', function replace(pattern, replacement) {
    return espruinoReplace(String(this), pattern, replacement, false);
  });
  method(String.prototype, 'replaceAll', function replaceAll(pattern, replacement) {
    return espruinoReplace(String(this), pattern, replacement, true);
  });

  var nativeStringify = JSON.stringify;
  var nativeParse = JSON.parse;
  method(JSON, 'stringify', function stringify(value, _replacer, space) {
    return nativeStringify(value, undefined, space); // the replacer is ignored
  });
  method(JSON, 'parse', function parse(text) {
    return nativeParse(text); // the reviver is ignored
  });

  var nativeSort = Array.prototype.sort;
  var nativeReverse = Array.prototype.reverse;
  method(Array.prototype, 'sort', function sort(compare) {
    nativeReverse.call(this); // not stable on Espruino: equal elements come out in another order
    return compare === undefined ? nativeSort.call(this) : nativeSort.call(this, compare);
  });

  var nativeDefineProperty = Object.defineProperty;
  var nativeDefineProperties = Object.defineProperties;
  function enumerableDescriptor(d) {
    if (d === null || typeof d !== 'object') return d; // let V8 throw its TypeError
    var copy = {};
    for (var k in d) if (hasOwn.call(d, k)) copy[k] = d[k];
    copy.enumerable = true; // Espruino ignores enumerable: false
    return copy;
  }
  method(Object, 'defineProperty', function defineProperty(o, key, d) {
    return nativeDefineProperty(o, key, enumerableDescriptor(d));
  });
  method(Object, 'defineProperties', function defineProperties(o, ds) {
    var copy = {};
    for (var k in ds) if (hasOwn.call(ds, k)) copy[k] = enumerableDescriptor(ds[k]);
    return nativeDefineProperties(o, copy);
  });

  var nativeExp = Math.exp;
  var nativeLog = Math.log;
  var nativeFloor = Math.floor;
  function espruinoPow(x, y) {
    var yi = y | 0;
    if (yi >= 0 && yi < 10 && yi === y) {
      if (yi === 0) return 1;
      var p = x;
      while (yi > 1) { p *= x; yi--; }
      return p;
    }
    if (x < 0 && y % 1 === 0) return y % 2 === 0 ? nativeExp(nativeLog(-x) * y) : -nativeExp(nativeLog(-x) * y);
    if (x !== 0 || 0 >= y) return nativeExp(nativeLog(x) * y);
    return 0;
  }
  method(Math, 'pow', function pow(x, y) { return espruinoPow(+x, +y); });
  method(Math, 'sqrt', function sqrt(x) { return espruinoPow(+x, 0.5); });
  method(Math, 'round', function round(x) {
    x = +x;
    if (!isFinite(x) || x === 0) return x;
    var r = x < 0 ? -nativeFloor(-x + 0.5) : nativeFloor(x + 0.5);
    return r === 0 && x < 0 ? -0 : r;
  });

  var nativeEncode = encodeURIComponent;
  var nativeDecode = decodeURIComponent;
  G.encodeURIComponent = function encodeURIComponent(s) {
    var text = String(s);
    for (var i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 127) throw new SandboxError('encodeURIComponent: non-ASCII input is garbled on Espruino; percent-encode UTF-8 bytes yourself');
    }
    return nativeEncode(text);
  };
  G.decodeURIComponent = function decodeURIComponent(s) {
    var text = String(s);
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c > 127) throw new SandboxError('ASCII only');
      if (c === 37 && parseInt(nativeSlice.call(text, i + 1, i + 3), 16) >= 128) throw new SandboxError('Invalid URI');
    }
    return nativeDecode(text);
  };

  var NativeDate = Date;
  var nativeDateParse = Date.parse;
  var EspruinoDate = function Date(a, b, c, d, e, f, g) {
    if (!(this instanceof EspruinoDate)) return NativeDate();
    var n = arguments.length;
    var date;
    if (n === 0) date = new NativeDate(EspruinoDate.now()); // honours a test's Date.now override
    else if (n === 1) date = new NativeDate(a);
    else date = new NativeDate(a, b, n > 2 ? c : 1, n > 3 ? d : 0, n > 4 ? e : 0, n > 5 ? f : 0, n > 6 ? g : 0);
    if (n === 1 && typeof a === 'string' && isNaNGlobal(date.getTime())) date = new NativeDate(0); // invalid date is epoch 0
    return date;
  };
  EspruinoDate.prototype = NativeDate.prototype;
  method(NativeDate.prototype, 'constructor', EspruinoDate);
  method(EspruinoDate, 'now', NativeDate.now);
  method(EspruinoDate, 'parse', function parse(s) {
    var t = nativeDateParse(s);
    return isNaNGlobal(t) ? 0 : t;
  });
  G.Date = EspruinoDate;

  // --- Shape the builtins ------------------------------------------------------------------
  var FUNCTION_OWN = ['length', 'name', 'prototype', 'arguments', 'caller'];
  function contains(list, x) { for (var i = 0; i < list.length; i++) if (list[i] === x) return true; return false; }
  function trimStatics(ctor, keep) {
    var own = names(ctor);
    for (var i = 0; i < own.length; i++) {
      if (contains(keep, own[i]) || (typeof ctor === 'function' && contains(FUNCTION_OWN, own[i]))) continue;
      if (ctor === SandboxError && own[i] === 'stackTraceLimit') continue; // V8 needs it to give errors a stack (test diagnostics)
      delete ctor[own[i]];
    }
  }
  function hideOnPrototype(proto, name, fn) {
    define(proto, name, {
      configurable: true,
      enumerable: false,
      get: function () { return this === proto ? undefined : fn; },
      set: function (v) { define(this, name, { value: v, writable: true, configurable: true, enumerable: false }); },
    });
  }
  function trimPrototype(proto, spec) {
    var own = names(proto);
    for (var i = 0; i < own.length; i++) {
      var name = own[i];
      if (name === 'constructor' || contains(spec.proto, name)) continue;
      var d = descOf(proto, name);
      if (!('value' in d)) continue; // accessors (length, byteLength, RegExp flags…) stay: V8 itself reads them
      if (contains(spec.instance, name) && typeof d.value === 'function') hideOnPrototype(proto, name, d.value);
      else delete proto[name];
    }
  }
  var TypedArray = Object.getPrototypeOf(Uint8Array);
  for (var builtin in shape) {
    if (!hasOwn.call(shape, builtin)) continue;
    var spec = shape[builtin];
    var target = builtin === 'TypedArray' ? TypedArray : builtin === 'Date' ? NativeDate : G[builtin];
    if (target === undefined) continue;
    if (builtin === 'Date') trimStatics(EspruinoDate, spec.statics);
    trimStatics(target, spec.statics);
    if (typeof target === 'function' && target.prototype) trimPrototype(target.prototype, spec);
  }
  var typedArrays = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'];
  for (var t = 0; t < typedArrays.length; t++) {
    trimStatics(G[typedArrays[t]], []);
    trimPrototype(G[typedArrays[t]].prototype, { proto: [], instance: [] });
  }

  // --- Globals: keep only Espruino's -------------------------------------------------------
  var globals = names(G);
  for (var j = 0; j < globals.length; j++) {
    if (!contains(keepGlobals, globals[j])) delete G[globals[j]];
  }
})
`;

let nextTimerId = 1;

/** Creates a fresh Espruino-shaped context. */
export function createEspruinoSandbox(options: EspruinoSandboxOptions = {}): EspruinoSandbox {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const output: string[] = [];
  const emit = (line: string): void => {
    output.push(line);
    options.onOutput?.(line);
  };
  const context = vm.createContext({}, { name: 'espruino-sandbox', codeGeneration: { strings: true, wasm: false } });
  const setup = vm.runInContext(SETUP, context, { filename: 'espruino-sandbox-setup.js' }) as (
    g: unknown,
    shape: unknown,
    keep: unknown,
  ) => void;
  const global = vm.runInContext('this', context) as Record<string, unknown>;
  const toContext = (value: unknown): unknown => vm.runInContext(`(${JSON.stringify(value)})`, context);
  setup(global, toContext(ESPRUINO_BUILTINS), toContext(ESPRUINO_GLOBALS));

  const format = (args: unknown[]): string =>
    args
      .map((a) => {
        if (typeof a === 'string') return a;
        if (a === undefined || typeof a === 'function' || typeof a === 'number' || typeof a === 'boolean' || a === null) return String(a);
        try {
          return JSON.stringify(a);
        } catch {
          return String(a);
        }
      })
      .join(' ');
  const print = (...args: unknown[]): void => emit(format(args));
  global.print = print;
  global.console = { log: print, info: print, warn: print, error: print, debug: print, trace: print };

  const timers = new Map<number, { handle: NodeJS.Timeout; repeat: boolean }>();
  const addTimer = (fn: unknown, ms: unknown, repeat: boolean, args: unknown[]): number => {
    if (typeof fn !== 'function') throw new TypeError('setTimeout: expected a function');
    const id = nextTimerId++;
    const delay = typeof ms === 'number' && ms > 0 ? ms : 0;
    const run = (): void => {
      if (!repeat) timers.delete(id);
      (fn as (...a: unknown[]) => void)(...args);
    };
    const handle = repeat ? setInterval(run, delay) : setTimeout(run, delay);
    timers.set(id, { handle, repeat });
    return id;
  };
  const clearTimer = (id: unknown): void => {
    const t = typeof id === 'number' ? timers.get(id) : undefined;
    if (t === undefined) return;
    if (t.repeat) clearInterval(t.handle);
    else clearTimeout(t.handle);
    timers.delete(id as number);
  };
  global.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => addTimer(fn, ms, false, args);
  global.setInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => addTimer(fn, ms, true, args);
  global.clearTimeout = clearTimer;
  global.clearInterval = clearTimer;

  for (const [name, value] of Object.entries(options.globals ?? {})) global[name] = value;

  return {
    global,
    output,
    run(code: string, filename = 'bundle.js'): unknown {
      return vm.runInContext(code, context, { filename, timeout: timeoutMs });
    },
    dispose(): void {
      for (const id of [...timers.keys()]) clearTimer(id);
    },
  };
}

/**
 * Evaluates `code` (a bundle) in a fresh Espruino-shaped context and returns the context's global
 * object, so the caller can reach what the bundle defined (`runInEspruinoSandbox(app).dormouse`).
 */
export function runInEspruinoSandbox(
  code: string,
  globals: Readonly<Record<string, unknown>> = {},
  options: Omit<EspruinoSandboxOptions, 'globals'> = {},
): Record<string, unknown> {
  const sandbox = createEspruinoSandbox({ ...options, globals });
  sandbox.run(code);
  return sandbox.global;
}
