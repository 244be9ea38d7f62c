// Turns "write these bytes here" records, applied in order to a block device, into the sorted,
// non-overlapping extents ExtentSource needs. Used by block OTAs (sdat) and payload.bin: both
// describe a partition as writes in command order, and where two writes overlap the later one
// is what the device ends up holding.
import type { Extent } from '../../io/source.js';

/** One write: [start, end) of the device, in bytes. */
export interface Segment {
  start: number;
  end: number;
  /** Command order: later writes win. */
  order: number;
  zero: boolean;
  /** For data: parent offset of `start`. */
  parentOffset: number;
}

/**
 * Sorts and resolves overlaps (a sweep with a max-heap on `order`: O(n log n)), then merges
 * neighbours that continue each other in the parent. `overlapped` says whether any write was
 * shadowed (real OTAs never overlap; a crafted one may).
 */
export function layoutSegments(segments: Segment[]): { extents: Extent[]; overlapped: boolean } {
  const sorted = [...segments].sort((a, b) => a.start - b.start || a.order - b.order);
  let overlapped = false;
  for (let i = 1; i < sorted.length && !overlapped; i++) if (sorted[i].start < sorted[i - 1].end) overlapped = true;
  const pieces = overlapped ? sweep(sorted) : sorted;
  const extents: Extent[] = [];
  for (const p of pieces) {
    const length = p.end - p.start;
    if (length <= 0) continue;
    const prev = extents[extents.length - 1];
    if (prev && prev.logical + prev.length === p.start) {
      if (p.zero && prev.kind === 'zero') {
        prev.length += length;
        continue;
      }
      if (!p.zero && prev.kind === 'data' && prev.parentOffset + prev.length === p.parentOffset) {
        prev.length += length;
        continue;
      }
    }
    extents.push(p.zero ? { logical: p.start, length, kind: 'zero' } : { logical: p.start, length, kind: 'data', parentOffset: p.parentOffset });
  }
  return { extents, overlapped };
}

function sweep(sorted: Segment[]): Segment[] {
  const points = [...new Set(sorted.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const heap: Segment[] = [];
  const out: Segment[] = [];
  let next = 0;
  for (let pi = 0; pi + 1 < points.length; pi++) {
    const p = points[pi];
    const q = points[pi + 1];
    while (next < sorted.length && sorted[next].start <= p) heapPush(heap, sorted[next++]);
    while (heap.length > 0 && heap[0].end <= p) heapPop(heap);
    if (heap.length === 0) continue;
    const top = heap[0];
    out.push({ start: p, end: q, order: top.order, zero: top.zero, parentOffset: top.parentOffset + (p - top.start) });
  }
  return out;
}

// The heap keeps the latest write on top. An entry whose end is behind the sweep is dropped
// lazily when it surfaces; shadowed ones below wait, which is still O(n log n) overall.
function heapPush(h: Segment[], s: Segment): void {
  h.push(s);
  let i = h.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent].order >= h[i].order) break;
    [h[parent], h[i]] = [h[i], h[parent]];
    i = parent;
  }
}

function heapPop(h: Segment[]): void {
  const last = h.pop()!;
  if (h.length === 0) return;
  h[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && h[l].order > h[m].order) m = l;
    if (r < h.length && h[r].order > h[m].order) m = r;
    if (m === i) return;
    [h[m], h[i]] = [h[i], h[m]];
    i = m;
  }
}
