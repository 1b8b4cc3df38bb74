/**
 * Least-privilege rule: no IAM identity policy the stack declares allows a wildcard over a data
 * service (S3, KMS, Secrets Manager, SSM): no `*` or `<service>:*` action, no `NotAction` allow,
 * and no `Resource: "*"` on an action of those services. Each offending statement is named (its
 * Sid, else its position).
 *
 * Scope: identity policies (role, user and group inline policies, managed policies the stack
 * creates). Resource policies are out of scope on purpose: in a KMS key policy `"Resource": "*"`
 * means "this key" (AWS KMS developer guide, "Key policies"), and bucket policies here only deny.
 * AWS managed policies attached by ARN (AWS Backup's S3 policies) are AWS's text, not the plan's.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { resourcesPolicy } from "./define";
import { resolveSettings } from "./settings";
import { describe, knownString, peek } from "./stackView";

export const iamWildcardsPolicyName = "least-privilege-data-services";

export const identityPolicyTypes = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
] as const;

/** The services whose data a wildcard would expose, by IAM action prefix. */
export const dataServices = Object.freeze(["s3", "kms", "secretsmanager", "ssm"] as const);

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const serviceOf = (action: string) => action.split(":")[0]!.toLowerCase();
const isDataAction = (action: string) => action === "*" || (dataServices as readonly string[]).includes(serviceOf(action));

/** Why `statement` is too broad, or `undefined`. */
export function wildcardProblem(statement: Statement): string | undefined {
  if (statement.Effect !== "Allow") return undefined;
  if (statement.NotAction !== undefined) return `allows everything but ${list(statement.NotAction).join(", ")} (NotAction)`;
  const actions = list(statement.Action);
  const wild = actions.filter((a) => a === "*" || (isDataAction(a) && a.endsWith(":*")));
  if (wild.length > 0) return `allows every action of ${wild.join(", ")}`;
  const data = actions.filter(isDataAction);
  if (data.length > 0 && list(statement.Resource).includes("*")) return `allows ${data.join(", ")} on every resource ("Resource": "*")`;
  return undefined;
}

/** Each statement of a policy document that is too broad, named by Sid or position. */
export function wildcardStatements(document: unknown): { statement: string; problem: string }[] {
  const statements = (document as { Statement?: Statement | Statement[] })?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []).flatMap((statement, i) => {
    const problem = wildcardProblem(statement);
    return problem ? [{ statement: statement.Sid ? `"${statement.Sid}"` : `#${i + 1}`, problem }] : [];
  });
}

export function checkIdentityPolicy(resource: Pick<PolicyResource, "name" | "props" | "provider">, report: ReportViolation): void {
  const text = knownString(peek(() => resource.props.policy));
  if (!text) return; // not known yet in a preview: checked on the next one
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    report(`IAM policy ${describe(resource as PolicyResource)} is not JSON; the pack cannot check it`);
    return;
  }
  for (const { statement, problem } of wildcardStatements(document)) {
    report(`IAM policy ${describe(resource as PolicyResource)} statement ${statement} ${problem}; name the actions it needs on the ARNs it needs (S3, KMS, Secrets Manager and SSM hold the backups and their keys)`);
  }
}

export function createIamWildcardPolicies(overrides: Readonly<Record<string, unknown>> = {}) {
  return [
    resourcesPolicy(
      { name: iamWildcardsPolicyName, description: "No IAM identity policy allows `*` actions or `*` resources on S3, KMS, Secrets Manager or SSM.", settings: [] },
      resolveSettings(overrides),
      identityPolicyTypes,
      (args, _s, report) => checkIdentityPolicy(args, report),
    ),
  ];
}
