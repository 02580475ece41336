// Recording in the browser with MediaRecorder: start, pause, resume, stop; the elapsed time
// counts only while recording. The microphone is asked for on the first tap on Record.

/** Whether this browser can record at all. */
export function canRecord() {
  return Boolean(window.MediaRecorder && navigator.mediaDevices?.getUserMedia);
}

// The first type this browser records, in the order the server reads best.
const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];

/** One recording session; ``onTick(seconds)`` about four times a second while recording. */
export class Recorder {
  constructor({ onTick, maxBytes }) {
    this.onTick = onTick;
    this.maxBytes = maxBytes;
    this.chunks = [];
    this.bytes = 0;
    this.elapsed = 0;
    this.startedAt = null;
    this.timer = null;
    this.stream = null;
    this.media = null;
    this.limitReached = false;
  }

  /** Ask for the microphone and start; throws the browser's error (NotAllowedError...). */
  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const type = TYPES.find((t) => MediaRecorder.isTypeSupported?.(t));
    this.media = new MediaRecorder(this.stream, type ? { mimeType: type } : undefined);
    this.media.addEventListener("dataavailable", (event) => {
      if (!event.data.size) return;
      this.chunks.push(event.data);
      this.bytes += event.data.size;
      // Stop before the recording outgrows what the invitation accepts.
      if (this.maxBytes && this.bytes > this.maxBytes * 0.95 && this.media.state !== "inactive") {
        this.limitReached = true;
        this.media.stop();
      }
    });
    this.stopped = new Promise((resolve) => this.media.addEventListener("stop", resolve, { once: true }));
    this.media.start(1000);
    this.running();
  }

  running() {
    this.startedAt = performance.now();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.onTick(this.seconds()), 250);
  }

  /** Seconds recorded so far. */
  seconds() {
    const now = this.startedAt === null ? 0 : (performance.now() - this.startedAt) / 1000;
    return this.elapsed + now;
  }

  freeze() {
    this.elapsed = this.seconds();
    this.startedAt = null;
    clearInterval(this.timer);
    this.onTick(this.elapsed);
  }

  /** Pause the recording. */
  pause() {
    this.media.pause();
    this.freeze();
  }

  /** Resume after a pause. */
  resume() {
    this.media.resume();
    this.running();
  }

  /** Stop; resolves to the recording as a File. */
  async stop() {
    if (this.media.state !== "inactive") this.media.stop();
    await this.stopped;
    this.freeze();
    for (const track of this.stream.getTracks()) track.stop();
    const type = (this.media.mimeType || "audio/webm").split(";")[0];
    const extension = { "audio/ogg": "ogg", "audio/mp4": "m4a" }[type] || "webm";
    return new File(this.chunks, `recording.${extension}`, { type });
  }

  /** Let go of the microphone without keeping anything. */
  discard() {
    clearInterval(this.timer);
    if (this.media && this.media.state !== "inactive") this.media.stop();
    for (const track of this.stream?.getTracks() || []) track.stop();
  }
}
