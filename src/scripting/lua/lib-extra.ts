// Redis extra libraries: cjson, cmsgpack, bit, struct.
import { Runtime } from './runtime';
import { LuaTable } from './value';

export function openExtras(_R: Runtime, _G: LuaTable): void {
  // filled in below
}
