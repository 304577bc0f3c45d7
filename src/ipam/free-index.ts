// The lowest free address of one CIDR without walking the CIDR address by address (issue 2:
// "a /16 at 99% fill, or a /64, allocates as fast as an empty one").
//
// Every usable address below `frontier` is in use except those in `holes`; addresses in use at or
// above the frontier (explicit requests) sit in `ahead`. Taking the frontier advances it past
// `ahead` entries, each at most once, so allocation is amortised O(log holes).

/** A min-heap of bigints with lazy deletion: `members` is the truth, the heap may hold stale copies. */
class HoleSet {
  private readonly heap: bigint[] = [];
  private readonly members = new Set<bigint>();

  get size(): number {
    return this.members.size;
  }

  has(value: bigint): boolean {
    return this.members.has(value);
  }

  add(value: bigint): void {
    if (this.members.has(value)) return;
    this.members.add(value);
    this.heap.push(value);
    this.siftUp(this.heap.length - 1);
  }

  delete(value: bigint): boolean {
    return this.members.delete(value);
  }

  min(): bigint | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0] as bigint;
      if (this.members.has(top)) return top;
      this.pop();
    }
    return undefined;
  }

  private pop(): void {
    const last = this.heap.pop() as bigint;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((this.heap[parent] as bigint) <= (this.heap[index] as bigint)) return;
      this.swap(parent, index);
      index = parent;
    }
  }

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && (this.heap[left] as bigint) < (this.heap[smallest] as bigint))
        smallest = left;
      if (right < this.heap.length && (this.heap[right] as bigint) < (this.heap[smallest] as bigint))
        smallest = right;
      if (smallest === index) return;
      this.swap(smallest, index);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const value = this.heap[a] as bigint;
    this.heap[a] = this.heap[b] as bigint;
    this.heap[b] = value;
  }
}

/** Free addresses of one CIDR: take, release and find the lowest free one in O(log n). */
export class FreeIndex {
  private frontier: bigint;
  private readonly holes = new HoleSet();
  private readonly ahead = new Set<bigint>();

  /** `avoidBuggy`: IPv4 addresses ending in .0 or .255 are never free (A31). */
  constructor(
    readonly first: bigint,
    readonly last: bigint,
    private readonly avoidBuggy: boolean,
  ) {
    this.frontier = this.nextUsable(first);
  }

  /** The lowest free usable address, or undefined when the CIDR is full. */
  lowestFree(): bigint | undefined {
    const hole = this.holes.min();
    if (hole !== undefined) return hole;
    return this.frontier <= this.last ? this.frontier : undefined;
  }

  /** Marks a free usable address as used. */
  take(address: bigint): void {
    if (address < this.frontier) {
      this.holes.delete(address);
      return;
    }
    if (address !== this.frontier) {
      this.ahead.add(address);
      return;
    }
    this.frontier = this.nextUsable(this.frontier + 1n);
    while (this.ahead.delete(this.frontier)) this.frontier = this.nextUsable(this.frontier + 1n);
  }

  /** Marks a used address as free again. */
  release(address: bigint): void {
    if (address < this.frontier) this.holes.add(address);
    else this.ahead.delete(address);
  }

  /** Whether `address` is currently marked used. */
  isUsed(address: bigint): boolean {
    if (address < this.frontier) return !this.holes.has(address);
    return this.ahead.has(address);
  }

  /** A31: skip .255 and .0 when avoiding buggy IPv4 addresses; IPv6 CIDRs never set the flag. */
  private nextUsable(address: bigint): bigint {
    if (!this.avoidBuggy) return address;
    const lastOctet = address & 0xffn;
    if (lastOctet === 255n) return address + 2n;
    if (lastOctet === 0n) return address + 1n;
    return address;
  }
}
