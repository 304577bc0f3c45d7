// The speaker watches only its own node's ServiceL2Statuses (issue 14), with MetalLB's label; a
// node name that cannot be a label value must not make the API server refuse the watch.
import { describe, expect, it } from 'vitest';
import { ownStatusSelector } from '../../../src/speaker/watches.js';

describe('ownStatusSelector', () => {
  it("selects by MetalLB's node label (R4)", () => {
    expect(ownStatusSelector('node-a')).toBe('metallb.io/node=node-a');
    expect(ownStatusSelector('worker-1.example.com')).toBe('metallb.io/node=worker-1.example.com');
    expect(ownStatusSelector('n'.repeat(63))).toBe(`metallb.io/node=${'n'.repeat(63)}`);
  });

  it('watches every status when the node name is no label value', () => {
    expect(ownStatusSelector('n'.repeat(64))).toBeUndefined();
    expect(ownStatusSelector('node-')).toBeUndefined();
  });
});
