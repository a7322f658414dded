import { describe, expect, it } from "vitest";
import { createIdentifierMask } from "../../src/lib/identifier-mask.ts";

describe("createIdentifierMask", () => {
  it("masks ips, e-mails and hosts reversibly and consistently", () => {
    const mask = createIdentifierMask(["ips", "emails", "hosts"]);
    const text = "db.acme-prod.internal (10.1.2.3) refused ops@acme.com; retry db.acme-prod.internal; see config.yaml and c.n.conductor.OrkesConductorApplication";
    const masked = mask.mask(text);
    expect(masked).toBe("masked-host-1 (masked-ip-1) refused masked-email-1; retry masked-host-1; see config.yaml and c.n.conductor.OrkesConductorApplication");
    expect(mask.unmask(`${masked} / masked-host-9`)).toBe(`${text} / masked-host-9`);
    expect(mask.mask("again 10.1.2.3")).toBe("again masked-ip-1");
  });

  it("masks only the kinds named", () => {
    const mask = createIdentifierMask(["ips"]);
    expect(mask.mask("ops@acme.com at 192.168.0.10 via redis.svc.cluster.local")).toBe("ops@acme.com at masked-ip-1 via redis.svc.cluster.local");
  });

  it("leaves execution ids, pod names and versions with fewer than four parts alone", () => {
    const mask = createIdentifierMask(["ips", "emails", "hosts"]);
    const text = "execution 8b1c2d3e-0f4a-11f1-9c2e-0242ac120002 pod conductor-server-7d9f8c-x2k4q v3.3.5";
    expect(mask.mask(text)).toBe(text);
  });
});
