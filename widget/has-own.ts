/** Whether `key` is an own property of `object` (Object.hasOwn is newer than the es2021 target). */
export function hasOwn(object: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}
