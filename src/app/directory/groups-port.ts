/**
 * What group sync (Slack user groups, Entra ID groups) hands the live directory: the members of
 * one group, as the platform names them. The live directory learns members it does not know yet
 * and gives or takes away the role that group stands for (only roles that group gave).
 */
export interface GroupMember {
  platform: 'slack' | 'teams';
  userId: string;
  email?: string;
  name?: string;
}

/** The one method group sync calls on the live directory. */
export interface GroupRoleSync {
  syncRoleFromGroup(
    agencyId: string,
    role: string,
    members: GroupMember[],
    source: string,
    at: Date,
  ): Promise<{ added: string[]; removed: string[] }>;
}
