import type { RegistryCredentials, TagListing } from '../ports-registry.ts';

/**
 * Tag listings read during one scheduled pass or one request, shared by every policy tag that follows
 * the same repository with the same credentials and transport: the first reader's request serves the
 * others, including those that ask while it is still under way. A failed listing is shared too, so a
 * broken repository costs one attempt per pass, not one per tag. Kept in memory for the pass only.
 */
export class TagListings {
  private readonly listings = new Map<string, Promise<TagListing>>();
  /** Listings actually requested from registries, for reports and benchmarks. */
  requested = 0;

  /** The listing of `repository` (host/path) as `credentials` see it, reading it with `read` the first time. */
  read(
    repository: string,
    insecure: boolean,
    credentials: RegistryCredentials | undefined,
    read: () => Promise<TagListing>,
  ): Promise<TagListing> {
    // Credentials are part of the key: what one namespace's secret may list is never served to another.
    const key = JSON.stringify([repository, insecure, credentials?.username ?? null, credentials?.password ?? null]);
    let listing = this.listings.get(key);
    if (!listing) {
      this.requested++;
      listing = read();
      this.listings.set(key, listing);
    }
    return listing;
  }
}
