module github.com/simdloss/simdloss/gen

go 1.26
