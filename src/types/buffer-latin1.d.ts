// Node's Buffer has fast latin1 helpers that @types/node does not declare.
// They are used on the hot path (RESP parsing and reply writing) because they
// skip the encoding dispatch of toString/write.
export {};
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
