import { FieldMessages, TextField } from "./FormField.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import { type ClaimDraft, rowKey } from "./rule-draft.js";

interface ClaimRowsProps {
  rows: readonly ClaimDraft[];
  onChange: (rows: ClaimDraft[]) => void;
  errors: FormErrors;
}

/** The claims a verified identity must carry, each with the values it may take. */
export function ClaimRows({ rows, onChange, errors }: ClaimRowsProps) {
  const listPath = "rule.auth.require_claims";
  const update = (i: number, change: Partial<ClaimDraft>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <fieldset className="sy-rules-fieldset sy-rules-rows">
      <legend>Required claims</legend>
      <p className="sy-rules-hint">
        For each claim, the token's claim (or one element of an array claim) must equal one of the
        values, else the request gets 403. None: any verified identity. A service token carries no
        claims.
      </p>
      <FieldMessages id="sy-rules-claim-errors" messages={errorsAt(errors, listPath)} />
      {rows.length > 0 && (
        <ol className="sy-rules-row-list">
          {rows.map((row, i) => {
            const path = `${listPath}[${i}]`;
            const label = `claim ${i + 1}`;
            return (
              <li key={row.key} aria-label={`Claim ${i + 1}`}>
                <TextField
                  label={`Name of ${label}`}
                  path={`${path}.name`}
                  value={row.name}
                  onChange={(name) => update(i, { name })}
                  errors={[...errorsAt(errors, path), ...errorsAt(errors, `${path}.name`)]}
                  placeholder="groups"
                />
                <TextField
                  label={`Accepted values of ${label}`}
                  path={`${path}.values`}
                  multiline
                  value={row.values}
                  onChange={(values) => update(i, { values })}
                  errors={errorsAt(errors, `${path}.values`, true)}
                  hint="One value per line; 1 to 32 values."
                />
                <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                  Remove {label}
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <button
        type="button"
        onClick={() => onChange([...rows, { key: rowKey(), name: "", values: "" }])}
      >
        Add a required claim
      </button>
    </fieldset>
  );
}
