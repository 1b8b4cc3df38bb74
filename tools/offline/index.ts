export { captureRegistrations, plainValue, secretMarker, type CapturedResource } from "./capture";
export { evaluate, type EvaluateOptions, type Evaluation } from "./evaluate";
export { createMocks, mockAccountId, type InvokeCall, type StackReferenceOutputs } from "./mocks";
export { planStack, toPlanJson, type Plan, type PlanJson } from "./plan";
export { applySetting, listStacks, loadStackConfig, placeholderMark, repositoryRoot, StackFileError, type LoadedStackConfig } from "./stackFiles";
