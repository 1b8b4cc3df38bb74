/**
 * How Route53 turns its checkers' observations into one health-check status, and the bound on how
 * long a status change takes. Source: Route53 developer guide, "How Amazon Route 53 determines
 * whether a health check is healthy"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html):
 * - checkers in each chosen region check every request interval (10 or 30 s) and "don't coordinate
 *   with one another";
 * - each checker changes its own verdict after the failure threshold of consecutive results the
 *   other way (HealthCheckConfig `FailureThreshold`: "The number of consecutive health checks that
 *   an endpoint must pass or fail for Amazon Route 53 to change the current status of the endpoint
 *   from unhealthy to healthy or vice versa");
 * - "If more than 18% of health checkers report that an endpoint is healthy, Route 53 considers it
 *   healthy. If 18% of health checkers or fewer report that an endpoint is healthy, Route 53
 *   considers it unhealthy." ("This value might change in a future release.")
 * - an HTTPS check passes on a 2xx/3xx within 2 s of a TCP connection made within 4 s, and does
 *   not validate the certificate ("HTTPS health checks don't validate SSL/TLS certificates").
 *
 * Pure: imports nothing.
 */

/** Route53's aggregation threshold: healthy when more than this share of checkers report healthy. */
export const healthyCheckerShare = 0.18;

/** Route53's status from its checkers' verdicts (the 18 % rule). */
export function aggregateHealthy(verdicts: readonly boolean[]): boolean {
  if (verdicts.length === 0) throw new Error("aggregateHealthy: no checker verdicts given");
  return verdicts.filter(Boolean).length / verdicts.length > healthyCheckerShare;
}

/**
 * One checker's verdict after a series of results: it starts at `initial` and turns only after
 * `failureThreshold` consecutive results the other way.
 */
export function checkerVerdict(initial: boolean, results: readonly boolean[], failureThreshold: number): boolean {
  let verdict = initial;
  let run = 0;
  for (const result of results) {
    run = result === verdict ? 0 : run + 1;
    if (run >= failureThreshold) {
      verdict = result;
      run = 0;
    }
  }
  return verdict;
}

/**
 * The longest a health check's status can lag its endpoint, in seconds: every checker makes its
 * first check after the change within one interval and its threshold-th one (threshold - 1)
 * intervals later, so after interval × threshold every checker has turned, whichever way the
 * change went (more than 82 % unhealthy, or more than 18 % healthy, both hold once all have).
 */
export function statusChangeBoundSeconds(timing: { requestIntervalSeconds: number; failureThreshold: number }): number {
  return timing.requestIntervalSeconds * timing.failureThreshold;
}
