/**
 * The active-region SSM parameter's name: written by the stack in every region
 * (components/activeRegionParameter.ts), read by the applications in their own region. Pure.
 */

/** The parameter's name for an environment: `/crazy-gary/<environment>/active-region`. */
export const activeRegionParameterName = (environment: string): string => `/crazy-gary/${environment}/active-region`;
