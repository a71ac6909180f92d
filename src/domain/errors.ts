// Failures the domain and store layers report; the HTTP layer maps them to the error envelope
// (not found → 404, conflict → 409, invalid input → 400 naming the field).

export interface FieldProblem {
  field: string;
  message: string;
}

export class NotFoundError extends Error {}

export class ConflictError extends Error {}

export class InvalidInputError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}
