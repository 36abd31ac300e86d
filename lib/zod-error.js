// Shaped like zod's `ZodError`, for a host without zod of its own (lib/index.js uses the host's
// when there is one).
export class ZodError extends Error {
  constructor(issues) {
    super(JSON.stringify(issues, null, 2));
    this.issues = issues;
    this.name = 'ZodError';
  }

  get errors() {
    return this.issues;
  }

  flatten() {
    const fieldErrors = {};
    const formErrors = [];
    for (const issue of this.issues) {
      if (issue.path.length === 0) formErrors.push(issue.message);
      else (fieldErrors[issue.path[0]] ??= []).push(issue.message);
    }
    return { formErrors, fieldErrors };
  }
}
