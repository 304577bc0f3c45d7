// The lowest free address of one CIDR without walking the CIDR address by address (issue 2:
// "a /16 at 99% fill, or a /64, allocates as fast as an empty one").
//
// Addresses are kept as offsets from the CIDR's first address, in plain numbers (BigInt
// arithmetic allocates, and allocation speed is the point). Every usable offset below `frontier`
// is in use except those in `holes`; offsets in use at or above the frontier (explicit requests)
// sit in `ahead`. Taking the frontier advances it past `ahead` entries, each at most once, so an
// allocation costs amortised O(log holes).

/** Offsets beyond this are never handed out: 2^53 addresses of one CIDR cannot all be allocated. */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** A min-heap of numbers with lazy deletion: `members` is the truth, the heap may hold stale copies. */
class HoleSet {
  private readonly heap: number[] = [];
  private readonly members = new Set<number>();

  has(value: number): boolean {
    return this.members.has(value);
  }

  add(value: number): void {
    if (this.members.has(value)) return;
    this.members.add(value);
    this.heap.push(value);
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((this.heap[parent] as number) <= value) break;
      this.heap[index] = this.heap[parent] as number;
      index = parent;
    }
    this.heap[index] = value;
  }

  delete(value: number): void {
    this.members.delete(value);
  }

  min(): number | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0] as number;
      if (this.members.has(top)) return top;
      this.popTop();
    }
    return undefined;
  }

  private popTop(): void {
    const last = this.heap.pop() as number;
    const size = this.heap.length;
    if (size === 0) return;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (this.heap[right] as number) < (this.heap[left] as number) ? right : left;
      if ((this.heap[child] as number) >= last) break;
      this.heap[index] = this.heap[child] as number;
      index = child;
    }
    this.heap[index] = last;
  }
}

/** Free addresses of one CIDR: take, release and find the lowest free one in O(log n). */
export class FreeIndex {
  private readonly lastOffset: number;
  private readonly lastOffsetBig: bigint;
  /** The first address's last octet, to find buggy addresses from offsets (A31). */
  private readonly firstOctet: number;
  private frontier: number;
  private readonly holes = new HoleSet();
  private readonly ahead = new Set<number>();

  /** `avoidBuggy`: IPv4 addresses ending in .0 or .255 are never free (A31). */
  constructor(
    readonly first: bigint,
    readonly last: bigint,
    private readonly avoidBuggy: boolean,
  ) {
    const span = last - first;
    this.lastOffset = span > BigInt(MAX_OFFSET) ? MAX_OFFSET : Number(span);
    this.lastOffsetBig = BigInt(this.lastOffset);
    this.firstOctet = Number(first & 0xffn);
    this.frontier = this.nextUsable(0);
  }

  /** The lowest free usable address, or undefined when the CIDR is full. */
  lowestFree(): bigint | undefined {
    const hole = this.holes.min();
    if (hole !== undefined) return this.first + BigInt(hole);
    return this.frontier <= this.lastOffset ? this.first + BigInt(this.frontier) : undefined;
  }

  /** Marks a free usable address as used. */
  take(address: bigint): void {
    const offset = this.offsetOf(address);
    if (offset === undefined) return;
    if (offset < this.frontier) {
      this.holes.delete(offset);
      return;
    }
    if (offset !== this.frontier) {
      this.ahead.add(offset);
      return;
    }
    this.frontier = this.nextUsable(this.frontier + 1);
    while (this.ahead.delete(this.frontier)) this.frontier = this.nextUsable(this.frontier + 1);
  }

  /** Marks a used address as free again. */
  release(address: bigint): void {
    const offset = this.offsetOf(address);
    if (offset === undefined) return;
    if (offset < this.frontier) this.holes.add(offset);
    else this.ahead.delete(offset);
  }

  /** Whether `address` is currently marked used. */
  isUsed(address: bigint): boolean {
    const offset = this.offsetOf(address);
    if (offset === undefined) return false;
    if (offset < this.frontier) return !this.holes.has(offset);
    return this.ahead.has(offset);
  }

  private offsetOf(address: bigint): number | undefined {
    if (address < this.first || address > this.last) return undefined;
    const offset = address - this.first;
    return offset > this.lastOffsetBig ? undefined : Number(offset);
  }

  /** A31: skip .255 and .0 when avoiding buggy IPv4 addresses; IPv6 CIDRs never set the flag. */
  private nextUsable(offset: number): number {
    if (!this.avoidBuggy) return offset;
    const lastOctet = (this.firstOctet + offset) % 256;
    if (lastOctet === 255) return offset + 2;
    if (lastOctet === 0) return offset + 1;
    return offset;
  }
}
