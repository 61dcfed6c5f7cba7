/** The agent's version, reported in every report and by --version. Bumped with package.json. */
export const AGENT_VERSION = '0.1.0';
