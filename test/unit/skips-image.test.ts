import { describe, expect, it } from 'vitest';
import { skipsImage } from '../../core/triggers/skips-image.ts';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;

describe('skipsImage', () => {
  it('skips the image recorded at creation while the trigger has fired for nothing', () => {
    expect(skipsImage({ attempts: 0, skippedImage: a }, a)).toBe(true);
  });

  it('skips no other image', () => {
    expect(skipsImage({ attempts: 0, skippedImage: a }, b)).toBe(false);
  });

  it('skips nothing for a trigger created to fire, or on a tag that had no image', () => {
    expect(skipsImage({ attempts: 0 }, a)).toBe(false);
  });

  it('skips nothing once the trigger has fired: the tag coming back to the skipped image is a change', () => {
    expect(skipsImage({ attempts: 1, skippedImage: a, lastTriggeredImage: b }, a)).toBe(false);
  });

  it('skips nothing while a firing is claimed, even for the skipped image (a claim made by hand, then lost)', () => {
    // The lease rule decides whether that claim is delivered again, not the skip.
    expect(skipsImage({ attempts: 0, skippedImage: a, lastTriggeredImage: a }, a)).toBe(false);
  });
});
