/**
 * Metadata is stored as jsonb, so it must be plain JSON data that PostgreSQL accepts and that reads back
 * exactly as it was given. `copyJsonObject` walks it once within fixed bounds and answers either a copy
 * made only of plain objects, arrays, strings, finite numbers, booleans and null, or the first reason it
 * is not. Nothing is dropped or converted silently, as JSON.stringify would do (it drops `undefined`,
 * functions, symbols and a Map's entries, turns NaN into null and a Date into a string, and throws on a
 * BigInt or a cycle). The walk is recursive, but never deeper than `maxDepth`, so no input can overflow
 * the stack, and it stops at `maxEntries`, so a huge array costs no more than a small one.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface JsonLimits {
  /** Nesting levels of objects and arrays, the top-level object being the first. */
  maxDepth: number;
  /** Object keys and array items, counted over the whole value. */
  maxEntries: number;
  /** The UTF-8 bytes of its JSON text. */
  maxBytes: number;
  /** Whether a key or a string value can be stored (no NUL, no lone surrogate). */
  isStorableText: (value: string) => boolean;
  storableTextMessage: string;
}

export interface JsonIssue {
  path: (string | number)[];
  message: string;
}

class Rejected {
  constructor(readonly issue: JsonIssue) {}
}

export function copyJsonObject(
  value: unknown,
  limits: JsonLimits,
): { ok: true; value: JsonObject } | { ok: false; issue: JsonIssue } {
  const walk = new Walk(limits);
  try {
    if (typeof value !== 'object' || value === null || !isPlainObject(value)) {
      walk.reject([], `must be a plain object of JSON values, not ${kindOf(value)}`);
    }
    const copy = walk.object(value as object, [], 1);
    // The walk bounded the text; this is the exact figure, as the bytes PostgreSQL receives.
    if (Buffer.byteLength(JSON.stringify(copy), 'utf8') > limits.maxBytes) walk.tooLarge();
    return { ok: true, value: copy };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, issue: error.issue };
    throw error;
  }
}

class Walk {
  private entries = 0;
  /** UTF-16 code units of every key and string so far: a UTF-8 encoding is never shorter. */
  private textUnits = 0;
  private readonly ancestors = new Set<object>();

  constructor(private readonly limits: JsonLimits) {}

  reject(path: (string | number)[], message: string): never {
    throw new Rejected({ path, message });
  }

  tooLarge(): never {
    this.reject([], `must serialise to at most ${this.limits.maxBytes} bytes of JSON (UTF-8)`);
  }

  object(source: object, path: (string | number)[], depth: number): JsonObject {
    const copy: JsonObject = {};
    this.ancestors.add(source);
    for (const key of Reflect.ownKeys(source)) {
      if (typeof key === 'symbol') this.reject(path, 'must not have symbol keys');
      const at = [...path, key];
      // JSON.parse makes `__proto__` an own key, but an object literal or an assignment sets the
      // prototype instead, so the key would not mean the same thing to every reader: refused.
      if (key === '__proto__') this.reject(at, 'the key "__proto__" is not allowed');
      this.text(key, at);
      defineValue(copy, key, this.value(this.read(source, key, at), at, depth));
    }
    this.ancestors.delete(source);
    return copy;
  }

  private array(source: unknown[], path: (string | number)[], depth: number): JsonValue[] {
    const copy: JsonValue[] = [];
    this.ancestors.add(source);
    for (let index = 0; index < source.length; index += 1) {
      const at = [...path, index];
      copy.push(this.value(this.read(source, String(index), at), at, depth));
    }
    // Indices and `length` only: JSON would drop any other property (a regex match's `index`, say).
    if (Reflect.ownKeys(source).length !== source.length + 1) {
      this.reject(path, 'must be a plain array, without named properties');
    }
    this.ancestors.delete(source);
    return copy;
  }

  /** One own property, counted; getters, setters, holes and hidden properties are refused, never run. */
  private read(source: object, key: string, at: (string | number)[]): unknown {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      this.reject([], `must have at most ${this.limits.maxEntries} keys and array items in all`);
    }
    const descriptor = Object.getOwnPropertyDescriptor(source, key);
    if (!descriptor) this.reject(at, 'must not be an empty array slot');
    if (!('value' in descriptor)) this.reject(at, 'must be a plain value, not a getter or setter');
    if (!descriptor.enumerable) this.reject(at, 'must be an enumerable property');
    return descriptor.value;
  }

  private value(value: unknown, at: (string | number)[], parentDepth: number): JsonValue {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'string') return this.text(value, at);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) this.reject(at, `must be a finite number, not ${value}`);
      return value;
    }
    if (typeof value !== 'object') this.reject(at, `must be JSON data, not ${kindOf(value)}`);
    if (this.ancestors.has(value)) this.reject(at, 'must not be circular (it contains itself)');
    const depth = parentDepth + 1;
    if (depth > this.limits.maxDepth)
      this.reject(at, `must not nest deeper than ${this.limits.maxDepth} levels`);
    if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
      return this.array(value, at, depth);
    }
    if (isPlainObject(value)) return this.object(value, at, depth);
    return this.reject(at, `must be JSON data, not ${kindOf(value)}`);
  }

  private text(value: string, at: (string | number)[]): string {
    this.textUnits += value.length;
    if (this.textUnits > this.limits.maxBytes) this.tooLarge();
    if (!this.limits.isStorableText(value)) this.reject(at, this.limits.storableTextMessage);
    return value;
  }
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Defined, not assigned, so that no setter anywhere on Object.prototype can intercept a key. */
function defineValue(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
  if (Array.isArray(value)) {
    return Object.getPrototypeOf(value) === Array.prototype ? 'an array' : 'an array with another prototype';
  }
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return tag === 'Object' ? 'an object with a prototype (a class instance?)' : `a ${tag}`;
}
