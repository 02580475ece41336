// The narration queue (section 8): higher priority first, then earlier trigger, then trail order.

function compare(a, b) {
  return b.priority - a.priority || a.triggerMs - b.triggerMs || a.index - b.index;
}

/** Waiting narrations, kept in queue order. */
export class NarrationQueue {
  constructor() {
    this.cues = [];
  }

  get length() {
    return this.cues.length;
  }

  has(index) {
    return this.cues.some((c) => c.index === index);
  }

  push(cue) {
    this.cues.push(cue);
    this.cues.sort(compare);
  }

  pop() {
    return this.cues.shift();
  }

  remove(index) {
    const before = this.cues.length;
    this.cues = this.cues.filter((c) => c.index !== index);
    return this.cues.length !== before;
  }

  drain() {
    const out = this.cues;
    this.cues = [];
    return out;
  }
}
