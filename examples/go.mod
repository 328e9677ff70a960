module github.com/mockcloud/mockcloud/examples

go 1.25.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/joyent/triton-go v1.7.1-0.20200416154420-6801d15b779f
	github.com/mockcloud/mockcloud v0.0.0
	github.com/mockcloud/mockcloud/gophercloudkit v0.0.0
)

require (
	github.com/pkg/errors v0.8.1 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

require (
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gophercloud/gophercloud/v2 v2.15.0
	github.com/gorilla/mux v1.8.1 // indirect
)

replace github.com/mockcloud/mockcloud => ../

replace github.com/mockcloud/mockcloud/gophercloudkit => ../gophercloudkit
