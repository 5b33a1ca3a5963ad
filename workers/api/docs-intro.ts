// Placeholder until the docs introduction lands.
export const INTRO =
  "Verified service-provider marketplace for Bangladesh. Errors answer in bn or en per Accept-Language.";
