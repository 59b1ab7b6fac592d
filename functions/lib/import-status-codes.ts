import type { ImportReason } from '../../core/importing/import-failure.ts';
import type { ImageStreamImportResult, ImportStatus } from '../../core/use-cases/import-service.ts';

/** The HTTP code each import failure reason stands for, as OpenShift reports it in an image's status. */
const codeOf: Record<ImportReason, number> = {
  NotFound: 404,
  NoMatchingTag: 404,
  Unauthorized: 401,
  Forbidden: 403,
  RateLimited: 429,
  BadRequest: 400,
  InternalError: 500,
  Timeout: 504,
  SignatureMissing: 403,
  SignatureInvalid: 403,
};

/** A failure of one import gets a code; a repository's summary of failed images (`ImportFailed`) does not. */
function withCode(status: ImportStatus['status']): ImportStatus['status'] & { code?: number } {
  if (status.status !== 'Failure' || status.reason === 'ImportFailed') return status;
  return { ...status, code: codeOf[status.reason as ImportReason] ?? 500 };
}

/** Adds the HTTP code to every failed status of an ImageStreamImport answer: HTTP codes are decided at the edge. */
export function importStatusCodes(result: ImageStreamImportResult): ImageStreamImportResult {
  const coded = (images: ImportStatus[]) => images.map((i) => ({ ...i, status: withCode(i.status) }));
  const { images, repository } = result.status;
  return {
    ...result,
    status: {
      ...result.status,
      ...(images ? { images: coded(images) } : {}),
      ...(repository
        ? { repository: { ...repository, status: withCode(repository.status), images: coded(repository.images) } }
        : {}),
    },
  };
}
