/**
 * How a place inside a resource's inputs or a stack's outputs is named in a diff: keys joined
 * with dots from the top-level name (`environment.FLIP_CANDIDATE`), array items by index
 * (`triggers[1]`), a key that is not a plain name quoted (`tags["a b"]`).
 */

/** `parent.key`, or `parent["a b"]` for a key that is not a plain name; `parent` "" names a top-level key. */
export const childPath = (parent: string, key: string): string => {
  const plain = /^[A-Za-z_][\w-]*$/.test(key);
  if (parent === "") return plain ? key : JSON.stringify(key);
  return plain ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
};

/** `parent[index]`. */
export const itemPath = (parent: string, index: number): string => `${parent}[${index}]`;

/** The top-level input or output a path starts with: `environment.FLIP_CANDIDATE` -> `environment`. */
export const topLevelKeyOf = (path: string): string => {
  if (path.startsWith('"')) return JSON.parse(path.slice(0, path.indexOf('"', 1) + 1)) as string;
  return path.split(/[.[]/, 1)[0];
};
