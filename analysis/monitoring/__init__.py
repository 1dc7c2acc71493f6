"""Following fieldwork: progress against the sample and the precision tracker."""
