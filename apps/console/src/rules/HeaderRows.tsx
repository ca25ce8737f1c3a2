import { SECRET_MASK } from "@switchyard/api";
import { CheckField, FieldMessages, TextField } from "./FormField.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import { type HeaderDraft, rowKey } from "./rule-draft.js";

interface HeaderRowsProps {
  rows: readonly HeaderDraft[];
  onChange: (rows: HeaderDraft[]) => void;
  errors: FormErrors;
}

/**
 * The headers a rule sets on the upstream request. A secret's value is typed into a
 * password input; a stored secret shows the API's mask, and leaving the mask keeps it.
 */
export function HeaderRows({ rows, onChange, errors }: HeaderRowsProps) {
  const listPath = "rule.header_config.add";
  const update = (i: number, change: Partial<HeaderDraft>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <fieldset className="sy-rules-fieldset sy-rules-rows">
      <legend>Headers to add</legend>
      <p className="sy-rules-hint">
        Set on the upstream request after every other header rule. A secret value is stored
        encrypted and never shown again: it reads as {SECRET_MASK}, and leaving {SECRET_MASK} keeps
        the stored value.
      </p>
      <FieldMessages id="sy-rules-add-errors" messages={errorsAt(errors, listPath)} />
      {rows.length > 0 && (
        <ol className="sy-rules-row-list">
          {rows.map((row, i) => {
            const path = `${listPath}[${i}]`;
            const label = `header ${i + 1}`;
            return (
              <li key={row.key} aria-label={`Header ${i + 1}`}>
                <TextField
                  label={`Name of ${label}`}
                  path={`${path}.name`}
                  value={row.name}
                  onChange={(name) => update(i, { name })}
                  errors={[...errorsAt(errors, path), ...errorsAt(errors, `${path}.name`)]}
                  placeholder="x-api-key"
                />
                <TextField
                  label={`Value of ${label}`}
                  path={`${path}.value`}
                  type={row.secret ? "password" : "text"}
                  autoComplete={row.secret ? "new-password" : "off"}
                  value={row.value}
                  onChange={(value) => update(i, { value })}
                  errors={errorsAt(errors, `${path}.value`)}
                />
                <CheckField
                  label={`Secret (${label})`}
                  path={`${path}.secret`}
                  checked={row.secret}
                  onChange={(secret) => update(i, { secret })}
                  errors={errorsAt(errors, `${path}.secret`)}
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
        onClick={() => onChange([...rows, { key: rowKey(), name: "", value: "", secret: false }])}
      >
        Add a header
      </button>
    </fieldset>
  );
}
