package classify

import "testing"

// TestConnNames: the names the connection rules read without IDs, as the
// runtime prints them.
func TestConnNames(t *testing.T) {
	for fn, want := range map[string]string{
		"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*watchServer).Watch.func1": "go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*watchServer).Watch",
		"main.main.func2.1":                "main.main",
		"net/http.(*Server).Serve.gowrap3": "net/http.(*Server).Serve",
		"example.com/p.F.func1.gowrap1":    "example.com/p.F",
		"example.com/p.F":                  "",
		"example.com/p.(*T).funcName":      "",
		"example.com/p.func1":              "", // a function named func1, not a closure
	} {
		if got := enclosingFunc(fn); got != want {
			t.Errorf("enclosingFunc(%q) = %q, want %q", fn, got, want)
		}
	}
	for fn, want := range map[string]bool{
		"github.com/soheilhy/cmux.muxListener.Accept":                         true,
		"go.etcd.io/etcd/client/pkg/v3/transport.(*keepaliveListener).Accept": true,
		"syscall.Accept":               false,
		"example.com/p.Accept":         false,
		"example.com/p.(*T).AcceptAll": false,
	} {
		if got := isAcceptMethod(fn); got != want {
			t.Errorf("isAcceptMethod(%q) = %v, want %v", fn, got, want)
		}
	}
	pkgs := pkgTree{"google.golang.org/grpc": true}
	for pkg, want := range map[string]bool{
		"google.golang.org/grpc":                    true,
		"google.golang.org/grpc/internal/transport": true,
		"google.golang.org/grpcx":                   false,
		"google.golang.org":                         false,
	} {
		if got := pkgs.has(pkg); got != want {
			t.Errorf("pkgTree.has(%q) = %v, want %v", pkg, got, want)
		}
	}
}
