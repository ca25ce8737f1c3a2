import { create } from "@bufbuild/protobuf";
import { createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createSwitchyardClient, ProjectSchema, ProjectService } from "./index.js";

describe("createSwitchyardClient", () => {
  it("calls the service behind the transport", async () => {
    const transport = createRouterTransport(({ service }) => {
      service(ProjectService, {
        getProject: (req) => ({ project: create(ProjectSchema, { id: req.id, name: "shop" }) }),
      });
    });
    const client = createSwitchyardClient(transport);
    const res = await client.projects.getProject({ id: "p1" });
    expect(res.project?.name).toBe("shop");
    expect(res.project?.id).toBe("p1");
  });
});
