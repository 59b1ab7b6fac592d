/** Who makes a request: a user id (JWT subject, IAM ARN or local token owner) and its groups. */
export interface Principal {
  user: string;
  groups: string[];
}

export const adminsGroup = 'system:admins';

/** The actor recorded on history entries for a request by this principal. */
export function actorOf(principal: Principal): string {
  return `user:${principal.user}`;
}
