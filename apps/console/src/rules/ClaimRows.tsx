import { TextField } from "../components/Field.js";
import { errorsAt } from "./form-errors.js";
import { RowsFieldset, type RowsProps } from "./RowsFieldset.js";
import { type ClaimDraft, rowKey } from "./rule-draft.js";

/** The claims a verified identity must carry, each with the values it may take. */
export function ClaimRows({ rows, onChange, errors }: RowsProps<ClaimDraft>) {
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
            name={`${path}.name`}
            value={row.name}
            onChange={(name) => update({ name })}
            error={[...errorsAt(errors, path), ...errorsAt(errors, `${path}.name`)]}
            placeholder="groups"
          />
          <TextField
            label={`Accepted values of ${label}`}
            name={`${path}.values`}
            multiline
            value={row.values}
            onChange={(values) => update({ values })}
            error={errorsAt(errors, `${path}.values`, true)}
            hint="One value per line; 1 to 32 values."
          />
        </>
      )}
    />
  );
}
