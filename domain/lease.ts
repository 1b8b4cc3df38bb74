/**
 * The primary's lease on being the active side (components/databaseHost/files/bin/lease.sh)
 * and how long a promotion that could not fence the old primary waits it out
 * (components/promotion/promote.sh). Pure: plain numbers in, numbers and strings out.
 */

/** The lease's timings, in whole seconds. */
export interface LeaseTimings {
  /**
   * A writable primary that has not read its own region's active-region parameter naming
   * it for longer than this fences itself.
   * @default 60 (a minute of SSM errors is an outage, not a blip; 1/5 of the 5-minute RPO)
   */
  leaseSeconds: number;
  /**
   * How often lease.sh reads the parameter (its timer's period); also the bound on one read.
   * @default 10
   */
  checkIntervalSeconds: number;
  /**
   * How long fence.sh may take (reload, end sessions) before it gives up.
   * @default 10
   */
  fenceTimeoutSeconds: number;
}

export const defaultLeaseTimings: Readonly<LeaseTimings> = Object.freeze({ leaseSeconds: 60, checkIntervalSeconds: 10, fenceTimeoutSeconds: 10 });

/** The check interval must be a whole divisor of 60: a systemd `OnCalendar` seconds step. */
function requireSecondsStep(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || 60 % seconds !== 0) {
    throw new Error(`lease checkIntervalSeconds: ${JSON.stringify(seconds)} is not allowed; use a whole divisor of 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)`);
  }
}

/** Checks the timings; throws naming the key, the value and what is allowed. */
export function validateLeaseTimings(timings: LeaseTimings): LeaseTimings {
  const wholeSeconds = (key: keyof LeaseTimings, min: number, max: number) => {
    const value = timings[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`lease ${key}: ${JSON.stringify(value)} is not allowed; use whole seconds from ${min} to ${max}`);
    }
  };
  requireSecondsStep(timings.checkIntervalSeconds);
  wholeSeconds("leaseSeconds", 1, 3600);
  if (timings.leaseSeconds < 2 * timings.checkIntervalSeconds) {
    throw new Error(
      `lease leaseSeconds: ${timings.leaseSeconds} is not allowed; use at least twice checkIntervalSeconds (${2 * timings.checkIntervalSeconds}), so one failed read does not fence a healthy primary`,
    );
  }
  wholeSeconds("fenceTimeoutSeconds", 1, 600);
  return timings;
}

/**
 * The longest a primary that is no longer the active side can still take writes, counted
 * from its last lease renewal: the lease, then up to one timer period until the next check
 * starts, one check's own bound (the read is cut at the period), and the fence itself.
 * promote.sh waits this long (from when it finds the old primary unreachable, which is after
 * that renewal) before promoting. 60 + 10 + 10 + 10 = 90 s with the defaults.
 */
export function leaseWaitSeconds(timings: LeaseTimings): number {
  const t = validateLeaseTimings(timings);
  return t.leaseSeconds + 2 * t.checkIntervalSeconds + t.fenceTimeoutSeconds;
}

/** systemd `OnCalendar` of the lease timer: every `seconds` seconds, `*-*-* *:*:00/10 UTC` for 10. */
export function everySecondsUtc(seconds: number): string {
  requireSecondsStep(seconds);
  return seconds === 60 ? "*-*-* *:*:00 UTC" : `*-*-* *:*:00/${seconds} UTC`;
}
