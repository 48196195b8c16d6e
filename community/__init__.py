"""The community layer (issue #17): posyandu and the other UKBM in the registry (kernel's
ServicePoint), their yearly self-reliance review and strata, cadres and their 25 skills, and the
district UKBM indicators a province agrees. Sits above workshops (training events are meetings)
and below planning: kernel <- indicators <- workshops <- community <- planning <- cycle."""
