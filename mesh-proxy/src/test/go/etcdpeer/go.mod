module dev.clustermesh/etcdpeer

go 1.23.0

require (
	go.etcd.io/etcd/api/v3 v3.6.4
	go.etcd.io/etcd/client/v3 v3.6.4
	go.uber.org/zap v1.27.0
	google.golang.org/grpc v1.71.1
)
