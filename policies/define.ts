/**
 * Builds the pack's policies the same way: mandatory, with the config schema of the settings
 * they read, and those settings resolved (and validated) on every run.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  validateResourceOfType,
  type EnforcementLevel,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { configSchemaFor, resolveSettings, settingsAt, type RecoverySettings, type SettingKey } from "./settings";

/** Every policy of the pack blocks a deployment; one that does not must say why beside it. */
export const enforcementLevel: EnforcementLevel = "mandatory";

export interface PolicySpec {
  name: string;
  description: string;
  /** The settings the policy reads (declared as its config schema). */
  settings: readonly SettingKey[];
}

export function stackPolicy(
  spec: PolicySpec,
  settings: RecoverySettings,
  check: (resources: readonly PolicyResource[], settings: RecoverySettings, report: ReportViolation, args: StackValidationArgs) => void,
): StackValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel,
    configSchema: configSchemaFor(spec.settings, settings),
    validateStack: (args, report) => check(args.resources, settingsAt(args, settings), report, args),
  };
}

/**
 * The factory of a policy that reads no settings and checks the whole stack: what the pack's
 * registry (policies.ts) calls with the stack's policy config, giving one policy.
 */
export function settinglessStackPolicy(
  name: string,
  description: string,
  check: (resources: readonly PolicyResource[], report: ReportViolation) => void,
): (overrides?: Readonly<Record<string, unknown>>) => StackValidationPolicy[] {
  return (overrides = {}) => [stackPolicy({ name, description, settings: [] }, resolveSettings(overrides), (resources, _settings, report) => check(resources, report))];
}

// The constructor signature `validateResourceOfType` accepts.
type ResourceClass<TResource extends pulumi.Resource, TArgs> = { new (name: string, args: TArgs, ...rest: any[]): TResource };

export function resourcePolicy<TResource extends pulumi.Resource, TArgs>(
  spec: PolicySpec,
  settings: RecoverySettings,
  resourceClass: ResourceClass<TResource, TArgs>,
  check: (props: pulumi.Unwrap<NonNullable<TArgs>>, args: ResourceValidationArgs, settings: RecoverySettings, report: ReportViolation) => void,
): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel,
    configSchema: configSchemaFor(spec.settings, settings),
    validateResource: validateResourceOfType(resourceClass, (props, args, report) => check(props, args, settingsAt(args, settings), report)),
  };
}

/** A resource policy over several types (the check sees the raw props). */
export function resourcesPolicy(
  spec: PolicySpec,
  settings: RecoverySettings,
  types: readonly string[],
  check: (args: ResourceValidationArgs, settings: RecoverySettings, report: ReportViolation) => void,
): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel,
    configSchema: configSchemaFor(spec.settings, settings),
    validateResource: (args, report) => {
      if (!types.includes(args.type)) args.notApplicable(`not one of ${types.join(", ")}`);
      check(args, settingsAt(args, settings), report);
    },
  };
}
