import type { TriggerStatus } from './types.ts';

/**
 * True when a trigger must not fire for `image`: it was created with fireOnCreate: false while its tag pointed
 * there, and it has fired for nothing since. Once it has fired for another image, the tag coming back to the
 * skipped one is a change like any other.
 */
export function skipsImage(status: TriggerStatus, image: string): boolean {
  return status.lastTriggeredImage === undefined && status.skippedImage === image;
}
