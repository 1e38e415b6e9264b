/**
 * A binary min-heap of values keyed by numbers, with lazy deletion: a caller never
 * removes from the middle; it lets a node go stale and skips it when it reaches the top.
 * Equal keys come out in the order they went in (each node carries a push serial), so
 * ties are fair and the order is the same on every run.
 * Nodes live in three parallel arrays, so a node costs three array slots and no object.
 */
export class MinHeap<T> {
  #keys: number[] = [];
  #serials: number[] = [];
  #values: T[] = [];
  #pushes = 0;

  /** Nodes in the heap, stale ones included. */
  get size(): number {
    return this.#keys.length;
  }

  /** The smallest key, or `undefined` when empty. */
  peekKey(): number | undefined {
    return this.#keys[0];
  }

  /** The value of the smallest key, or `undefined` when empty. */
  peekValue(): T | undefined {
    return this.#values[0];
  }

  /** Adds a node. */
  push(key: number, value: T): void {
    this.#keys.push(key);
    this.#serials.push(++this.#pushes);
    this.#values.push(value);
    this.#up(this.#keys.length - 1);
  }

  /** Removes the top node (call after reading it with `peekKey`/`peekValue`). */
  pop(): void {
    const last = this.#keys.length - 1;
    if (last < 0) return;
    this.#move(last, 0);
    this.#keys.pop();
    this.#serials.pop();
    this.#values.pop();
    if (last > 0) this.#down(0);
  }

  /**
   * Calls `visit` for every node whose key is at most `maxKey`, in no particular order,
   * without changing the heap. A subtree whose root is above `maxKey` is skipped whole,
   * so the cost follows the number of such nodes, not the size of the heap.
   * `visit` returns false to stop early.
   */
  visitUpTo(maxKey: number, visit: (value: T, key: number) => boolean): void {
    const keys = this.#keys;
    const values = this.#values;
    if (keys.length === 0 || (keys[0] as number) > maxKey) return;
    const stack = [0];
    while (stack.length > 0) {
      const index = stack.pop() as number;
      if (!visit(values[index] as T, keys[index] as number)) return;
      const left = 2 * index + 1;
      if (left < keys.length && (keys[left] as number) <= maxKey) stack.push(left);
      if (left + 1 < keys.length && (keys[left + 1] as number) <= maxKey) stack.push(left + 1);
    }
  }

  /** Drops every node `keep` rejects and restores the heap order: the cure for stale nodes. */
  rebuild(keep: (value: T, key: number) => boolean): void {
    let kept = 0;
    for (let index = 0; index < this.#keys.length; index++) {
      if (keep(this.#values[index] as T, this.#keys[index] as number)) this.#move(index, kept++);
    }
    this.#keys.length = kept;
    this.#serials.length = kept;
    this.#values.length = kept;
    for (let index = (kept >> 1) - 1; index >= 0; index--) this.#down(index);
  }

  /** True when node `a` comes out before node `b`. */
  #before(a: number, b: number): boolean {
    const keyA = this.#keys[a] as number;
    const keyB = this.#keys[b] as number;
    return keyA < keyB || (keyA === keyB && (this.#serials[a] as number) < (this.#serials[b] as number));
  }

  #move(from: number, to: number): void {
    this.#keys[to] = this.#keys[from] as number;
    this.#serials[to] = this.#serials[from] as number;
    this.#values[to] = this.#values[from] as T;
  }

  #swap(a: number, b: number): void {
    const key = this.#keys[a] as number;
    const serial = this.#serials[a] as number;
    const value = this.#values[a] as T;
    this.#move(b, a);
    this.#keys[b] = key;
    this.#serials[b] = serial;
    this.#values[b] = value;
  }

  #up(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#before(index, parent)) return;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #down(index: number): void {
    const length = this.#keys.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) return;
      const child = left + 1 < length && this.#before(left + 1, left) ? left + 1 : left;
      if (!this.#before(child, index)) return;
      this.#swap(index, child);
      index = child;
    }
  }
}
