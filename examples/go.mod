module github.com/mockcloud/mockcloud/examples

go 1.25.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/mockcloud/mockcloud v0.0.0
	github.com/mockcloud/mockcloud/gophercloudkit v0.0.0
)

require (
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gophercloud/gophercloud/v2 v2.15.0
	github.com/gorilla/mux v1.8.1 // indirect
)

replace github.com/mockcloud/mockcloud => ../

replace github.com/mockcloud/mockcloud/gophercloudkit => ../gophercloudkit
