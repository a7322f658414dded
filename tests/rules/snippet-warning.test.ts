import { describe, expect, it } from "vitest";
import { matchMessage } from "../../src/playbook/message-signatures.ts";

describe("an ingress configuration-snippet is a cause only when the line says it failed", () => {
  it("a deprecation warning that the annotation will be ignored is not a broken config", () => {
    const warning = 'W1201 21:49:13.120441       7 store.go:931] annotation "nginx.ingress.kubernetes.io/configuration-snippet" is deprecated and will be ignored when allow-snippet-annotations is false (ingress shop/shop-api)';
    expect(matchMessage(warning)?.key).not.toBe("ingress-config");
  });

  it("a snippet the controller rejects, or nginx's own config test, is", () => {
    expect(matchMessage('E0310 10:52:03.1 controller.go:211] Error: invalid configuration-snippet on ingress shop/shop-api')?.key).toBe("ingress-config");
    expect(matchMessage('nginx: [emerg] unexpected "}" in /tmp/nginx/nginx-cfg123:412')?.key).toBe("ingress-config");
    expect(matchMessage("nginx: configuration file /tmp/nginx/nginx-cfg123 test failed")?.key).toBe("ingress-config");
  });
});
