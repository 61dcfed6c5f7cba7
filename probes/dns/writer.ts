/**
 * The output side of the DNS codec: a growing buffer with RFC 1035 4.1.4 name compression.
 * Names arrive split and validated (wire.ts), so nothing here can fail on bad input.
 */
/** Growing output buffer with name compression: suffix (lowercase) → offset of its first copy. */
export class Writer {
  private buf = Buffer.alloc(512);
  length = 0;
  private readonly names = new Map<string, number>();

  private ensure(count: number): void {
    if (this.length + count <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + count));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
  u16(value: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(value & 0xffff, this.length);
    this.length += 2;
    return this;
  }
  u32(value: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(value >>> 0, this.length);
    this.length += 4;
    return this;
  }
  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }
  reserve16(): number {
    this.u16(0);
    return this.length - 2;
  }
  patch16(at: number, value: number): void {
    this.buf.writeUInt16BE(value, at);
  }
  /** Writes a name given as labels (validated by the caller), pointing at an earlier copy of any suffix. */
  name(labels: string[]): this {
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const seen = this.names.get(suffix);
      if (seen !== undefined) return this.u16(0xc000 | seen);
      // Pointers hold 14 bits: names past 16 KiB are written out in full.
      if (this.length < 0x4000) this.names.set(suffix, this.length);
      const label = Buffer.from(labels[i], 'latin1');
      this.bytes(Uint8Array.of(label.length)).bytes(label);
    }
    return this.bytes(Uint8Array.of(0));
  }
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
