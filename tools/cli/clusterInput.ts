/** Reads Patroni's `GET /cluster` body from a file or stdin (`-`) for the CLIs that decide on it. */
import { readFileSync } from "node:fs";
import { ClusterStatusError, parseClusterStatus, type ClusterStatus } from "../../domain/flipState";
import { readInputFile } from "./args";

export function readClusterStatus(file: string): ClusterStatus {
  const text = file === "-" ? readFileSync(0, "utf8") : readInputFile(`--cluster ${JSON.stringify(file)}`, file, "give the file holding Patroni's GET /cluster body, or - for stdin");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ClusterStatusError(`--cluster ${file}: not JSON (${JSON.stringify(text.slice(0, 80))}); pass Patroni's GET /cluster body`);
  }
  return parseClusterStatus(raw);
}
