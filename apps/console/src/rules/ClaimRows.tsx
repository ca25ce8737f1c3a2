import { TextField } from "./FormField.js";
import { errorsAt, type FormErrors } from "./form-errors.js";
import { RowsFieldset } from "./RowsFieldset.js";
import { type ClaimDraft, rowKey } from "./rule-draft.js";

interface ClaimRowsProps {
  rows: readonly ClaimDraft[];
  onChange: (rows: ClaimDraft[]) => void;
  errors: FormErrors;
}

/** The claims a verified identity must carry, each with the values it may take. */
export function ClaimRows({ rows, onChange, errors }: ClaimRowsProps) {
  return (
    <RowsFieldset
      legend="Required claims"
      hint="For each claim, the token's claim (or one element of an array claim) must equal one of the values, else the request gets 403. None: any verified identity. A service token carries no claims."
      listPath="rule.auth.require_claims"
      errorsId="sy-rules-claim-errors"
      rowName="claim"
      addLabel="Add a required claim"
      rows={rows}
      onChange={onChange}
      errors={errors}
      newRow={() => ({ key: rowKey(), name: "", values: "" })}
      renderRow={({ row, path, label, update }) => (
        <>
          <TextField
            label={`Name of ${label}`}
            path={`${path}.name`}
            value={row.name}
            onChange={(name) => update({ name })}
            errors={[...errorsAt(errors, path), ...errorsAt(errors, `${path}.name`)]}
            placeholder="groups"
          />
          <TextField
            label={`Accepted values of ${label}`}
            path={`${path}.values`}
            multiline
            value={row.values}
            onChange={(values) => update({ values })}
            errors={errorsAt(errors, `${path}.values`, true)}
            hint="One value per line; 1 to 32 values."
          />
        </>
      )}
    />
  );
}
