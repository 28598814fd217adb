/** A bounded set of recently emitted event ids: drops exact repeats without growing forever. */
export class RecentIds {
  private readonly ring: string[];
  private readonly set = new Set<string>();
  private next = 0;

  constructor(private readonly capacity = 10_000) {
    this.ring = new Array<string>(capacity);
  }

  /** True if `id` is new (and remembers it); false if it was seen recently. */
  add(id: string): boolean {
    if (this.set.has(id)) return false;
    const old = this.ring[this.next];
    if (old !== undefined) this.set.delete(old);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.set.add(id);
    return true;
  }

  get size(): number {
    return this.set.size;
  }
}
