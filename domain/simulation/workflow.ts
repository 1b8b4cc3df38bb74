/**
 * How the failover workflow decides that a flip is done (and commits `activeRegion` to git), and
 * how an ordinary deploy refuses to change the active region: read from the workflows' own text,
 * so the simulator follows them as they change. Pure.
 */

/** Where a check reads which region is active. */
export type ActiveRegionSource = "stack output" | "database leader";

export interface WorkflowFacts {
  /** What `failover.yml` reads before it commits the new `activeRegion`. */
  flipDone: ActiveRegionSource;
  /** What the deploy guard compares the commit's `activeRegion` with. */
  deployGuard: ActiveRegionSource;
}

const readsStackOutput = /pulumi stack output[^\n]*activeRegionRole|activeRegionRole\s*\/\/|\.activeRegionRole/;
const readsLeader = /patroni-cluster|flip:state[^\n]*--cluster|deploy:guard[^\n]*--cluster|\/primary\b|patronictl|\bleader\b|active-region[^\n]*get-parameter|get-parameter[^\n]*active-region/i;

/** A workflow's text without its comment lines and trailing comments (what runs, not what is said). */
const withoutComments = (text: string) => text.split("\n").map((line) => line.replace(/(^|\s)#.*$/, "")).join("\n");

/** What a workflow's text reads; throws when it reads neither, naming the file. */
export function activeRegionSourceOf(file: string, text: string): ActiveRegionSource {
  const code = withoutComments(text);
  if (readsStackOutput.test(code)) return "stack output";
  if (readsLeader.test(code)) return "database leader";
  throw new Error(`simulator: ${file} reads the active region neither from the stack output activeRegionRole nor from the database leader; teach domain/simulation/workflow.ts what it reads`);
}

/** The facts from `failover.yml` and the workflow that runs `deploy:guard`. */
export function workflowFacts(failoverWorkflow: string, deployGuardWorkflow: string): WorkflowFacts {
  return { flipDone: activeRegionSourceOf("failover.yml", failoverWorkflow), deployGuard: activeRegionSourceOf("the deploy workflow", deployGuardWorkflow) };
}
