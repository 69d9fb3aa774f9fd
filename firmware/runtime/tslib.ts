/**
 * dormouse's own TypeScript helpers: the module the compiler's `import { __x } from "tslib"` resolves
 * to in the device bundles (rollup.config.mjs passes this file as @rollup/plugin-typescript's
 * `tslib` option, and tsconfig.bundle.json maps `tslib` here so the compiler checks the helpers
 * it needs exist).
 *
 * Why not the published tslib: on Espruino 2v29 it breaks (see shared/specs/espruino.md).
 * Espruino has no function or `var` hoisting, `Array.prototype.slice` is undefined (only
 * `[].slice` works), `arguments.length` is not the number of arguments passed, and statics are
 * not inherited through `setPrototypeOf`. Every helper here is plain ES5 that relies on none of
 * that: each local function is a `var` assigned before its first call, no helper calls another
 * helper through a name declared later, and nothing here uses syntax that would itself need a
 * helper (this module must not import "tslib").
 *
 * Only what TypeScript emits for the ES5 target and the allowed syntax is provided. Syntax that
 * needs anything else (decorators, async generators, `for await`, private `#fields`) fails to
 * compile with "This syntax requires an imported helper named … which does not exist in 'tslib'".
 */


type Dict = { [key: string]: unknown };
type Ctor = Function & { prototype: object };

const hasOwn = Object.prototype.hasOwnProperty;

/** Names every function owns on V8 (non-writable there); never copied as statics. */
const FUNCTION_OWN = ['prototype', 'length', 'name', 'arguments', 'caller'];

/**
 * Class inheritance for ES5 output (`class D extends B`): prototype chain via `Object.create`, and
 * the base's statics COPIED onto the derived class (Espruino does not look statics up through a
 * function's prototype), accessors included.
 */
export function __extends(d: Ctor, b: Ctor | null): void {
  if (typeof b !== 'function' && b !== null) {
    throw new TypeError('Class extends value ' + String(b) + ' is not a constructor or null');
  }
  if (b !== null) {
    const names = Object.getOwnPropertyNames(b);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (FUNCTION_OWN.indexOf(name) >= 0 || hasOwn.call(d, name)) continue;
      const desc = Object.getOwnPropertyDescriptor(b, name);
      if (desc !== undefined) Object.defineProperty(d, name, desc);
    }
  }
  d.prototype = Object.create(b === null ? null : b.prototype);
  Object.defineProperty(d.prototype, 'constructor', { value: d, writable: true, configurable: true });
}

/**
 * Object spread and `Object.assign`-like merges (`{ ...a, b: 1 }`): copies own enumerable
 * properties of every source after the first argument onto the first.
 */
export function __assign(target: Dict, ...sources: unknown[]): Dict {
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i] as Dict | null | undefined;
    if (source === null || source === undefined) continue;
    for (const key in source) {
      if (hasOwn.call(source, key)) target[key] = source[key];
    }
  }
  return target;
}

/** Object rest in destructuring (`const { a, ...rest } = o`): own properties of `source` not in `excluded`. */
export function __rest(source: Dict, excluded: readonly string[]): Dict {
  const out: Dict = {};
  for (const key in source) {
    if (hasOwn.call(source, key) && excluded.indexOf(key) < 0) out[key] = source[key];
  }
  return out;
}

/**
 * Array spread (`[...a, b]`, `f(...args)`): appends the elements of the array-like `from` to
 * `to` and returns `to` (TypeScript always passes a fresh array as `to`). Holes become
 * `undefined`, as with the spread operator. `pack` is accepted for the compiler's signature.
 */
export function __spreadArray(to: unknown[], from: ArrayLike<unknown>, pack?: boolean): unknown[] {
  void pack;
  if (from === null || from === undefined || typeof from.length !== 'number') {
    throw new TypeError('Spread syntax works on arrays only on this device, got ' + typeof from);
  }
  for (let i = 0; i < from.length; i++) to.push(from[i]);
  return to;
}

/** Something with a `next()`: a compiled generator object. */
interface NextOnly {
  next(value?: unknown): { value: unknown; done: boolean };
}

const isIterator = function (o: unknown): o is NextOnly {
  return o !== null && typeof o === 'object' && typeof (o as { next?: unknown }).next === 'function';
};

/**
 * An iterator over an array-like or a compiled generator (`for…of` with downlevelIteration,
 * `yield*`). Espruino has no Symbol.iterator, so nothing else is iterable.
 */
export function __values(o: ArrayLike<unknown> | NextOnly): NextOnly {
  if (isIterator(o)) return o;
  if (o === null || o === undefined || typeof (o as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError('Only arrays can be iterated on this device, got ' + typeof o);
  }
  let index = 0;
  return {
    next: function () {
      if (index < (o as ArrayLike<unknown>).length) {
        const value = (o as ArrayLike<unknown>)[index];
        index++;
        return { value: value, done: false };
      }
      return { value: undefined, done: true };
    },
  };
}

/**
 * Array destructuring (downlevelIteration): the first `n` elements (all when `n` is undefined)
 * of an array-like or a compiled generator.
 */
export function __read(o: ArrayLike<unknown> | NextOnly, n?: number): unknown[] {
  const out: unknown[] = [];
  if (isIterator(o)) {
    while (n === undefined || out.length < n) {
      const step = o.next();
      if (step.done) break;
      out.push(step.value);
    }
    return out;
  }
  if (o === null || o === undefined || typeof o.length !== 'number') {
    throw new TypeError('Only arrays can be destructured on this device, got ' + typeof o);
  }
  const count = n === undefined || n > o.length ? o.length : n;
  for (let i = 0; i < count; i++) out.push(o[i]);
  return out;
}

/** Tagged template literals: the strings array carrying its `raw` twin. */
export function __makeTemplateObject(cooked: string[], raw: string[]): string[] {
  Object.defineProperty(cooked, 'raw', { value: raw });
  return cooked;
}

/** The iterator protocol result the generator state machine hands out. */
interface Step {
  value: unknown;
  done: boolean;
}

/** A resumable iterator as TypeScript's `__generator` returns it. */
interface GeneratorObject {
  next(value?: unknown): Step;
  throw(error: unknown): Step;
  return(value?: unknown): Step;
}

/**
 * Instructions of TypeScript's generator bodies, as `[opcode, value]`:
 * 0 next (resume with a value), 1 throw (resume by throwing), 2 return, 3 break (jump to a label),
 * 4 yield, 5 yield* (delegate), 6 catch (an exception escaped the body), 7 end of a finally block.
 */
type Instruction = [number, unknown?];

/** The state object the compiled body switches on (`_a.label`, `_a.sent()`, `_a.trys`, `_a.ops`). */
interface BodyState {
  label: number;
  sent: () => unknown;
  /** Open try regions: [tryLabel, catchLabel?, finallyLabel?, endLabel]. */
  trys: Array<Array<number | undefined>>;
  /** Instructions suspended while a finally block runs. */
  ops: Instruction[];
}

const OP_NEXT = 0;
const OP_THROW = 1;
const OP_RETURN = 2;
const OP_BREAK = 3;
const OP_YIELD = 4;
const OP_DELEGATE = 5;
const OP_CATCH = 6;
const OP_END_FINALLY = 7;

/**
 * The generator state machine behind ES5 async functions (and generators): runs the compiled
 * `body` instruction by instruction, routing exceptions, breaks and returns through the open
 * try/catch/finally regions the body declares in `state.trys`.
 */
export function __generator(thisArg: unknown, body: (state: BodyState) => Instruction): GeneratorObject {
  // The value (or exception, for OP_THROW) the body reads with state.sent() when it resumes.
  let received: Instruction = [OP_NEXT, undefined];
  const state: BodyState = {
    label: 0,
    sent: function () {
      if (received[0] === OP_THROW) throw received[1];
      return received[1];
    },
    trys: [],
    ops: [],
  };
  let running = false;
  let finished = false;
  let delegate: GeneratorObject | undefined;

  const resume = function (first: Instruction): Step {
    if (running) throw new TypeError('Generator is already executing.');
    let op: Instruction = first;
    running = true;
    try {
      while (!finished) {
        if (delegate !== undefined) {
          // yield*: pass the resumption to the inner iterator until it is done.
          const inner = delegate;
          let result: Step;
          try {
            if (op[0] === OP_RETURN) result = inner['return'](op[1]);
            else if (op[0] === OP_THROW) result = inner['throw'](op[1]);
            else result = inner.next(op[1]);
          } catch (e) {
            delegate = undefined;
            op = [OP_CATCH, e];
            continue;
          }
          if (!result.done) return result;
          delegate = undefined;
          op = [op[0] === OP_RETURN ? OP_RETURN : OP_NEXT, result.value];
        }
        const code = op[0];
        if (code === OP_NEXT || code === OP_THROW) {
          received = op;
        } else if (code === OP_YIELD) {
          state.label++;
          return { value: op[1], done: false };
        } else if (code === OP_DELEGATE) {
          state.label++;
          delegate = op[1] as GeneratorObject;
          op = [OP_NEXT, undefined];
          continue;
        } else if (code === OP_END_FINALLY) {
          op = state.ops.pop() as Instruction;
          state.trys.pop();
          continue;
        } else {
          // OP_RETURN, OP_BREAK or OP_CATCH: decide where control goes given the innermost try region.
          const region = state.trys.length > 0 ? state.trys[state.trys.length - 1] : undefined;
          if (region === undefined) {
            if (code !== OP_BREAK) {
              finished = true;
              break;
            }
            state.label = op[1] as number;
          } else {
            const tryLabel = region[0] as number;
            const catchLabel = region[1];
            const finallyLabel = region[2];
            const endLabel = region[3] as number;
            const target = op[1] as number;
            if (code === OP_BREAK && target > tryLabel && target < endLabel) {
              state.label = target;
            } else if (code === OP_CATCH && catchLabel !== undefined && state.label < catchLabel) {
              state.label = catchLabel;
              received = op;
            } else if (finallyLabel !== undefined && state.label < finallyLabel) {
              state.label = finallyLabel;
              state.ops.push(op);
            } else {
              // Leaving the region: its finally (if any) has run; drop it and retry in the outer one.
              if (finallyLabel !== undefined) state.ops.pop();
              state.trys.pop();
              continue;
            }
          }
        }
        try {
          op = body.call(thisArg, state);
          if (op === undefined) op = [OP_RETURN, undefined];
        } catch (e) {
          op = [OP_CATCH, e];
          delegate = undefined;
        }
      }
    } finally {
      running = false;
    }
    // Finished: an exception propagates, anything else ends the iteration.
    if (op[0] === OP_CATCH || op[0] === OP_THROW) throw op[1];
    return { value: op[0] === OP_RETURN ? op[1] : undefined, done: true };
  };

  return {
    next: function (value?: unknown) {
      return resume([OP_NEXT, value]);
    },
    'throw': function (error: unknown) {
      return resume([OP_THROW, error]);
    },
    'return': function (value?: unknown) {
      return resume([OP_RETURN, value]);
    },
  };
}

/**
 * Async functions for ES5 output: runs the generator made by `generator`, awaiting each yielded
 * value, and settles the returned promise with the function's result or exception.
 */
export function __awaiter(
  thisArg: unknown,
  args: ArrayLike<unknown> | undefined,
  P: PromiseConstructor | undefined,
  generator: (this: unknown, ...a: unknown[]) => GeneratorObject,
): Promise<unknown> {
  const PromiseCtor: PromiseConstructor = P || Promise;
  return new PromiseCtor(function (resolve, reject) {
    let advance: (step: Step) => void = function () {};
    let iterator: GeneratorObject;
    const onFulfilled = function (value: unknown): void {
      let step: Step;
      try {
        step = iterator.next(value);
      } catch (e) {
        reject(e);
        return;
      }
      advance(step);
    };
    const onRejected = function (error: unknown): void {
      let step: Step;
      try {
        step = iterator['throw'](error);
      } catch (e) {
        reject(e);
        return;
      }
      advance(step);
    };
    advance = function (step: Step): void {
      if (step.done) {
        resolve(step.value);
        return;
      }
      const value = step.value;
      const awaited = value instanceof PromiseCtor ? value : PromiseCtor.resolve(value);
      awaited.then(onFulfilled, onRejected);
    };
    try {
      iterator = generator.apply(thisArg, (args || []) as unknown[]);
    } catch (e) {
      reject(e);
      return;
    }
    onFulfilled(undefined);
  });
}
