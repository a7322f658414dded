/** Pods that turn Ingress objects into load balancers and routes (AWS, nginx, Traefik, HAProxy, Contour, Istio, Kong, GKE). */
export const INGRESS_CONTROLLER = /load-balancer-controller|alb-ingress|ingress-nginx|nginx-ingress|ingress-controller|traefik|haproxy-ingress|contour|istio-ingressgateway|kong|glbc/;
/** cert-manager's controller (its cainjector and webhook do not run ACME orders). */
export const CERT_MANAGER = /cert-manager(?!-(cainjector|webhook))/;
/** The cluster's DNS server: when it fails, every in-cluster name lookup fails with it. */
export const CLUSTER_DNS = /^(coredns|kube-dns)\b/;
/** The controller that writes Ingress hosts into the DNS zone (external-dns). */
export const DNS_RECORD_CONTROLLER = /external-dns/;
/** The in-cluster agent that polls the health check's commands (agent-handler): when its pod is down, nothing is polled. */
export const IN_CLUSTER_AGENT = /agent-handler|^(orkes-|conductor-)?agent$/;
/** Controllers that write Secrets from an external store (External Secrets, Vault, Sealed Secrets, the CSI driver). */
export const SECRET_SYNC = /external-secrets|sealed-secrets|secrets-store-csi|vault-(agent|secrets-operator)|secrets?-manager|doppler|akeyless|onepassword|1password/;
/** Conductor's server image (orkes-conductor-server, conductor-server): a workload running it is a server, whatever it is called. */
export const CONDUCTOR_SERVER_IMAGE = /(^|\/)[\w.-]*conductor-server[\w.-]*(:|@|$)/;
