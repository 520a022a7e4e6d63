package dev.clustermesh.meshctl.kube;

/**
 * The seed's workload, written here in the shape of Cilium's global-service example: Deployment {@code rebel-base}
 * (2 replicas, each answering with its cluster's name), its Service annotated global, and the {@code x-wing}
 * client. kwok runs the pods (Running and Ready, IPs from the node's pod CIDR); no container starts.
 */
final class SeedWorkload {
    private SeedWorkload() {
    }

    static String yaml(String cluster) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: rebel-base
                  annotations:
                    service.cilium.io/global: "true"
                spec:
                  type: ClusterIP
                  ports:
                  - port: 80
                  selector:
                    name: rebel-base
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: rebel-base-response
                data:
                  message: "{\\"Galaxy\\": \\"Alderaan\\", \\"Cluster\\": \\"%s\\"}\\n"
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: rebel-base
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      name: rebel-base
                  template:
                    metadata:
                      labels:
                        name: rebel-base
                    spec:
                      containers:
                      - name: rebel-base
                        image: docker.io/nginx:1.15.8
                        volumeMounts:
                        - name: html
                          mountPath: /usr/share/nginx/html/
                      volumes:
                      - name: html
                        configMap:
                          name: rebel-base-response
                          items:
                          - key: message
                            path: index.html
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: x-wing
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      name: x-wing
                  template:
                    metadata:
                      labels:
                        name: x-wing
                    spec:
                      containers:
                      - name: x-wing-container
                        image: quay.io/cilium/json-mock:v1.3.8
                """.formatted(cluster);
    }
}
