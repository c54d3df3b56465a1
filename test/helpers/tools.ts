import fs from 'node:fs';

/**
 * The first of `paths` that is installed. CI must have the tool (`.ci/run` installs it), so
 * there its absence fails; elsewhere it skips the check with a message naming the package.
 */
export function installedTool(paths: readonly string[], aptPackage: string,
  check: string): string | undefined {
  const found = paths.find((p) => fs.existsSync(p));
  if (found) return found;
  if (process.env.CI === 'true') {
    throw new Error(`${paths[0]} missing: apt-get install ${aptPackage}`);
  }
  console.warn(`skipping ${check}: ${paths[0]} is not installed (apt-get install ${aptPackage})`);
  return undefined;
}
