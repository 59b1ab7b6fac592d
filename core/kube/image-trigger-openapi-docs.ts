// What `kubectl explain imagetrigger.status` prints. ImageTrigger is ours (not in OpenShift): every field is.

const time = (description: string) => ({ type: 'string', format: 'date-time', description });

/** ImageTrigger status as the server writes it (the request schema leaves status open, and ignores it). */
export const imageTriggerStatusSchema = {
  type: 'object',
  description: 'What the trigger fired for and how that went; written by the server, never taken from a request.',
  required: ['attempts'],
  properties: {
    lastTriggeredImage: { type: 'string', description: 'The image (digest) the trigger last fired for.' },
    lastTriggeredBy: { type: 'string', description: 'Who moved the tag to that image.' },
    lastTriggeredAt: time('When the trigger fired for that image.'),
    lastAttemptAt: time('When the target was last called.'),
    lastSuccessAt: time('When the target last accepted a firing.'),
    lastError: { type: 'string', description: 'Why the last firing failed; absent after a success.' },
    attempts: { type: 'integer', format: 'int32', description: 'Calls made to the target for the last firing.' },
    skippedImage: {
      type: 'string',
      description:
        "The tag's image (digest) when the trigger was created with fireOnCreate: false; the trigger does not fire for it. Once it has fired for another image, the tag coming back to this one fires it. Absent when the tag had no image then.",
    },
  },
};
